import type { SqlRunner } from "../db/index.js";
import type { DeliveryRequest } from "./types.js";

/** A claimed delivery: the request plus the fencing token its outcome must be recorded with. */
export interface ClaimedDelivery {
  request: DeliveryRequest;
  /** attempts after the claim: a record only lands while this is still the row's value */
  attempts: number;
}

interface ClaimRow {
  key: string;
  workspace_id: string;
  enrollment_id: string;
  customer_id: string;
  journey_key: string;
  stage: string;
  step_id: string;
  channel: string;
  mode: string;
  content: string | null;
  due_at: Date;
  attempts: number;
  external_id: string;
  name: string | null;
  timezone: string | null;
  attributes: Record<string, unknown> | null;
  wecom_external_user_id: string | null;
  oa_open_id: string | null;
  union_id: string | null;
  last_event_at: Date | null;
  staff_id: string | null;
  staff_external_id: string | null;
  content_body: unknown;
}

// One statement claims and loads: due rows of one channel whose next attempt time has come (or
// 'sending' rows whose lease expired: a crashed worker's), oldest first, skipping rows another
// worker holds. The claim is committed at once, so no transaction stays open across the
// provider call (PGlite has one connection). Served by deliveries_attempt_idx.
const CLAIM = `
WITH claimed AS (
  UPDATE deliveries SET status = 'sending', next_attempt_at = $3, attempts = attempts + 1
  WHERE key = ANY(ARRAY(
    SELECT key FROM deliveries
    WHERE channel = $1 AND status IN ('due', 'sending') AND COALESCE(next_attempt_at, due_at) <= $2
      AND ($5::text[] IS NULL OR workspace_id = ANY($5::text[]))
    ORDER BY COALESCE(next_attempt_at, due_at)
    LIMIT $4
    FOR UPDATE SKIP LOCKED))
  RETURNING key, workspace_id, enrollment_id, customer_id, journey_key, stage, step_id, channel, mode, content, due_at, attempts
)
SELECT d.*, c.external_id, c.name, c.timezone, c.attributes, c.wecom_external_user_id, c.oa_open_id, c.union_id,
       (SELECT max(ev.at) FROM events ev WHERE ev.customer_id = c.id) AS last_event_at,
       s.id AS staff_id, s.external_id AS staff_external_id, ct.body AS content_body
FROM claimed d
JOIN customers c ON c.id = d.customer_id
LEFT JOIN enrollments e ON e.id = d.enrollment_id
LEFT JOIN staff s ON s.id = COALESCE(e.staff_id, c.staff_id)
LEFT JOIN contents ct ON ct.workspace_id = d.workspace_id AND ct.ref = d.content
ORDER BY d.due_at, d.key`;

/** Claims up to `limit` deliveries of `channel` due at `now`, leased until `leaseUntil` (optionally of some workspaces only). */
export async function claimDeliveries(sql: SqlRunner, channel: string, now: Date, leaseUntil: Date, limit: number, workspaceIds?: string[]): Promise<ClaimedDelivery[]> {
  const rows = await sql.query<ClaimRow>(CLAIM, [channel, now, leaseUntil, limit, workspaceIds ?? null]);
  return rows.map((r) => ({ request: toRequest(r), attempts: r.attempts }));
}

function toRequest(r: ClaimRow): DeliveryRequest {
  return {
    key: r.key,
    workspaceId: r.workspace_id,
    enrollmentId: r.enrollment_id,
    journeyKey: r.journey_key,
    stage: r.stage,
    stepId: r.step_id,
    customer: {
      id: r.customer_id,
      externalId: r.external_id,
      name: r.name,
      timezone: r.timezone,
      attributes: r.attributes ?? {},
      wecomExternalUserId: r.wecom_external_user_id,
      oaOpenId: r.oa_open_id,
      unionId: r.union_id,
      lastEventAt: r.last_event_at ? new Date(r.last_event_at) : null,
    },
    ...(r.staff_id ? { staffId: r.staff_id } : {}),
    ...(r.staff_external_id ? { staffExternalId: r.staff_external_id } : {}),
    channel: r.channel,
    mode: r.mode,
    content: r.content,
    ...(r.content_body !== null && r.content_body !== undefined ? { contentBody: r.content_body } : {}),
    dueAt: new Date(r.due_at),
    attempt: r.attempts,
  };
}
