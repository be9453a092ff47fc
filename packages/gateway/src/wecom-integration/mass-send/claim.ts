/**
 * Step 1 of a 群发助手 send, in one short transaction: take due task-mode private_chat deliveries of
 * WeCom customers, defer those over the per-customer cap to the next period, group the rest per
 * staff member, step and content (never merged), and record each group as a mass_sends row in
 * status 'creating' (leased) before WeCom is called.
 */
import { type CustomerCapPolicy, capPeriodKey, checkCustomerCap } from "../../channels/wecom/mass-send-limits.js";
import type { SqlRunner } from "../../db/index.js";

/** One group about to become one add_msg_template call. */
export interface MassSendGroup {
  id: string;
  workspaceId: string;
  staffId: string;
  sender: string;
  journeyKey: string;
  stepId: string;
  content: string;
  contentBody: unknown;
  dueAt: Date;
  targets: Array<{ key: string; customerId: string; externalUserId: string; taskId: string; attempts: number }>;
}

interface Row {
  key: string;
  workspace_id: string;
  customer_id: string;
  journey_key: string;
  step_id: string;
  content: string | null;
  due_at: Date;
  attempts: number;
  external_user_id: string;
  task_id: string;
  staff_id: string;
  sender: string;
}

// Task-mode WeCom chats whose time has come and whose chat task nobody has touched; rows another
// worker (or a staff member completing the task) holds are skipped, never waited for.
const CLAIM = `
SELECT d.key, d.workspace_id, d.customer_id, d.journey_key, d.step_id, d.content, d.due_at, d.attempts,
       c.wecom_external_user_id AS external_user_id, t.id AS task_id, t.staff_id, s.external_id AS sender
FROM deliveries d
JOIN customers c ON c.id = d.customer_id
JOIN tasks t ON t.delivery_key = d.key
JOIN staff s ON s.id = t.staff_id
WHERE d.channel = 'private_chat' AND d.status = 'task' AND d.mode = 'task'
  AND COALESCE(d.next_attempt_at, d.due_at) <= $1
  AND c.wecom_external_user_id IS NOT NULL AND t.status = 'open'
  AND ($3::text[] IS NULL OR d.workspace_id = ANY($3::text[]))
ORDER BY COALESCE(d.next_attempt_at, d.due_at), d.key
LIMIT $2
FOR UPDATE OF d, t SKIP LOCKED`;

export interface ClaimOptions {
  now: Date;
  limit: number;
  cap: CustomerCapPolicy;
  maxPerTask: number;
  leaseMs: number;
  /** Only these workspaces (default: all). */
  workspaceIds?: string[] | undefined;
  /** Rows of workspaces this returns false for are left untouched (no WeCom client for them). */
  accept?: (workspaceId: string) => boolean;
}

/** Claims and groups; returns the groups and how many deliveries were deferred by the cap. */
export async function claimMassSends(tx: SqlRunner, o: ClaimOptions): Promise<{ groups: MassSendGroup[]; deferred: number; claimed: number }> {
  const all = await tx.query<Row>(CLAIM, [o.now, o.limit, o.workspaceIds ?? null]);
  const rows = o.accept ? all.filter((r) => o.accept!(r.workspace_id)) : all;
  if (rows.length === 0) return { groups: [], deferred: 0, claimed: all.length };
  const period = capPeriodKey(o.now.getTime(), o.cap);
  const used = new Map(
    (
      await tx.query<{ customer_id: string; n: number }>(
        `SELECT customer_id, count(*)::int AS n FROM mass_send_targets WHERE customer_id = ANY($1::text[]) AND period = $2 AND outcome IN ('pending', 'sent') GROUP BY customer_id`,
        [[...new Set(rows.map((r) => r.customer_id))], period],
      )
    ).map((r) => [r.customer_id, r.n]),
  );
  const deferred: Array<{ key: string; at: Date; reason: string }> = [];
  const byGroup = new Map<string, Row[]>();
  for (const r of rows) {
    const check = checkCustomerCap({ period, count: used.get(r.customer_id) ?? 0 }, o.now.getTime(), o.cap);
    if (!check.ok) {
      deferred.push({ key: r.key, at: new Date(check.error.retryAt), reason: `mass-send cap: ${check.error.message}` });
      continue;
    }
    used.set(r.customer_id, (used.get(r.customer_id) ?? 0) + 1);
    const k = [r.workspace_id, r.staff_id, r.journey_key, r.step_id, r.content ?? ""].join("\u0000");
    byGroup.set(k, [...(byGroup.get(k) ?? []), r]);
  }
  if (deferred.length > 0) {
    // Kept as a 'task' delivery: it comes back when the next period starts (never lost).
    await tx.execute(
      `UPDATE deliveries d SET next_attempt_at = v.at, reason = v.reason FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS v(key, at, reason) WHERE d.key = v.key`,
      [deferred.map((x) => x.key), deferred.map((x) => x.at), deferred.map((x) => x.reason)],
    );
  }
  const bodies = await loadBodies(tx, [...byGroup.values()].map((g) => g[0]!));
  const groups: MassSendGroup[] = [];
  for (const members of byGroup.values()) {
    for (let from = 0; from < members.length; from += o.maxPerTask) {
      const chunk = members.slice(from, from + o.maxPerTask);
      const first = chunk[0]!;
      const [ms] = await tx.query<{ id: string }>(
        `INSERT INTO mass_sends (workspace_id, staff_id, sender, journey_key, step_id, content, customers, lease_until, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [first.workspace_id, first.staff_id, first.sender, first.journey_key, first.step_id, first.content ?? "", chunk.length, new Date(o.now.getTime() + o.leaseMs), o.now],
      );
      await tx.execute(
        `INSERT INTO mass_send_targets (mass_send_id, delivery_key, customer_id, external_user_id, period)
         SELECT $1, k, c, x, $5 FROM unnest($2::text[], $3::text[], $4::text[]) AS v(k, c, x)`,
        [ms!.id, chunk.map((r) => r.key), chunk.map((r) => r.customer_id), chunk.map((r) => r.external_user_id), period],
      );
      groups.push({
        id: ms!.id,
        workspaceId: first.workspace_id,
        staffId: first.staff_id,
        sender: first.sender,
        journeyKey: first.journey_key,
        stepId: first.step_id,
        content: first.content ?? "",
        contentBody: bodies.get(`${first.workspace_id}\u0000${first.content}`),
        dueAt: new Date(Math.min(...chunk.map((r) => new Date(r.due_at).getTime()))),
        targets: chunk.map((r) => ({ key: r.key, customerId: r.customer_id, externalUserId: r.external_user_id, taskId: r.task_id, attempts: r.attempts + 1 })),
      });
    }
  }
  const keys = groups.flatMap((g) => g.targets.map((t) => t.key));
  if (keys.length > 0) {
    await tx.execute(`UPDATE deliveries SET status = 'pending', attempts = attempts + 1, next_attempt_at = NULL WHERE key = ANY($1::text[])`, [keys]);
  }
  return { groups, deferred: deferred.length, claimed: all.length };
}

async function loadBodies(tx: SqlRunner, firsts: Row[]): Promise<Map<string, unknown>> {
  if (firsts.length === 0) return new Map();
  const rows = await tx.query<{ workspace_id: string; ref: string; body: unknown }>(
    `SELECT workspace_id, ref, body FROM contents WHERE (workspace_id, ref) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [firsts.map((f) => f.workspace_id), firsts.map((f) => f.content ?? "")],
  );
  return new Map(rows.map((r) => [`${r.workspace_id}\u0000${r.ref}`, r.body]));
}
