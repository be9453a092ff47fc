import { type JourneyState, JourneyInputError } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import type { AdvancedEnrollment, EnrollmentRow } from "./enrollment-row.js";
import type { JourneyRegistry } from "./journey-registry.js";
import { type Notices, persistAdvances } from "./persist-advances.js";

// The unique index "enrollments_owner_key" (migration 20261128090000): one running enrollment per
// customer, workspace, journey and owner; an ended one carries its id in the last column.
const ACTIVE_ENROLLMENT_KEY = `(customer_id, workspace_id, journey_key, owner_key, (CASE WHEN ended_at IS NULL THEN '' ELSE id END))`;

export interface EnrollRequest {
  workspaceId: string;
  customer: { id: string; timezone?: string | null; birthday?: string | null; attributes?: Record<string, unknown> | null };
  journeyKey: string;
  staffId?: string | null;
}

export class UnknownJourneyError extends Error {
  readonly code = "NOT_FOUND";
  constructor(readonly journeyKey: string) {
    super(`journey "${journeyKey}" does not exist (or has no active version) in this workspace`);
  }
}

/**
 * Enrolls customers in the newest active version of a journey at `at`, in the caller's
 * transaction, and processes the entry at once (the greeting "after: 0m" is due right away).
 * A customer already in that journey with that staff member keeps their enrollment; one whose
 * enrollment ended (e.g. deleted as a friend) is enrolled anew, with new idempotency keys.
 */
export async function enrollCustomers(
  tx: SqlRunner,
  registry: JourneyRegistry,
  requests: EnrollRequest[],
  at: Date,
  notices: Notices,
): Promise<Array<{ enrollmentId: string; created: boolean }>> {
  const out: Array<{ enrollmentId: string; created: boolean }> = [];
  const advanced: AdvancedEnrollment[] = [];
  for (const req of requests) {
    const journey = await registry.latest(tx, req.workspaceId, req.journeyKey);
    if (!journey) throw new UnknownJourneyError(req.journeyKey);
    const c = req.customer;
    // The core's customer id makes the idempotency keys, so it names the enrollment: a customer
    // followed by two staff members has two enrollments in one journey (the owner is part of it),
    // and one enrolled again after an enrollment ended counts its earlier runs.
    const [ended] = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM enrollments WHERE workspace_id = $1 AND customer_id = $2 AND journey_key = $3 AND owner_key = $4 AND ended_at IS NOT NULL`,
      [req.workspaceId, c.id, journey.id, req.staffId ?? ""],
    );
    const base = req.staffId ? `${c.id}/${req.staffId}` : c.id;
    const initial: JourneyState = journey.enroll(
      {
        id: ended && ended.n > 0 ? `${base}~${ended.n}` : base,
        ...(c.timezone ? { timezone: c.timezone } : {}),
        ...(c.birthday ? { birthday: c.birthday } : {}),
        ...(c.attributes ? { attributes: c.attributes } : {}),
        ...(req.staffId ? { assignee: req.staffId } : {}),
      },
      at,
    );
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO enrollments (workspace_id, customer_id, journey_key, journey_version, staff_id, owner_key, stage, state, next_wake_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json, $9)
       ON CONFLICT ${ACTIVE_ENROLLMENT_KEY} DO NOTHING RETURNING id`,
      [req.workspaceId, c.id, journey.id, journey.version, req.staffId ?? null, req.staffId ?? "", initial.stage, JSON.stringify(initial), new Date(initial.wake!)],
    );
    if (!inserted[0]) {
      const existing = await tx.query<{ id: string }>(
        `SELECT id FROM enrollments WHERE workspace_id = $1 AND customer_id = $2 AND journey_key = $3 AND owner_key = $4 AND ended_at IS NULL`,
        [req.workspaceId, c.id, journey.id, req.staffId ?? ""],
      );
      out.push({ enrollmentId: existing[0]!.id, created: false });
      continue;
    }
    const row: EnrollmentRow = { id: inserted[0].id, workspace_id: req.workspaceId, customer_id: c.id, journey_key: journey.id, journey_version: journey.version, staff_id: req.staffId ?? null, state: initial };
    const { state, effects } = journey.advance(initial, { type: "tick", at });
    advanced.push({ row, state, effects, journey });
    out.push({ enrollmentId: row.id, created: true });
  }
  await persistAdvances(tx, advanced, notices);
  return out;
}

export { JourneyInputError };
