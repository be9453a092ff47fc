import type { SqlRunner } from "../db/index.js";
import { type DeliveryKeyRange, keysInRanges, rangeParams } from "../engine/delivery-key-range.js";
import { enrollmentKeyRanges } from "../delivery/read-by-range.js";
import type { TaskPayload } from "../live/pubsub.js";

export interface Removed {
  /** enrollments ended */
  enrollments: number;
  /** unsent steps (due, held or task) recorded as skipped with reason `removed` */
  cancelledSteps: number;
  /** open or snoozed tasks of those steps, now skipped (for the staff members' live feeds) */
  cancelledTasks: TaskPayload[];
}

/**
 * Ends enrollments (already locked by the caller, or locked here by the UPDATE) and cancels what was
 * still to come of them: their unsent steps become skipped with reason `removed` (kept, so the
 * customer's history says why they stopped), their open tasks skipped. Steps being sent right now
 * ('sending') finish.
 */
export async function endEnrollments(tx: SqlRunner, args: { workspaceId: string; enrollmentIds: string[]; now: Date }): Promise<Removed> {
  if (args.enrollmentIds.length === 0) return { enrollments: 0, cancelledSteps: 0, cancelledTasks: [] };
  const ended = (
    await tx.query<{ id: string }>(
      `UPDATE enrollments SET ended_at = $3, next_wake_at = NULL, updated_at = now()
       WHERE workspace_id = $1 AND id = ANY($2::text[]) AND ended_at IS NULL RETURNING id`,
      [args.workspaceId, args.enrollmentIds, args.now],
    )
  ).map((r) => r.id);
  if (ended.length === 0) return { enrollments: 0, cancelledSteps: 0, cancelledTasks: [] };
  const { steps, tasks } = await cancelPendingSteps(tx, { workspaceId: args.workspaceId, ranges: await enrollmentKeyRanges(tx, ended), reason: "removed", now: args.now });
  return { enrollments: ended.length, cancelledSteps: steps, cancelledTasks: tasks };
}

/**
 * Unsent steps (due, held, task) in the given enrollments' key ranges, optionally of some channels
 * only, become skipped with `reason`; their open or snoozed tasks are skipped too.
 */
export async function cancelPendingSteps(
  tx: SqlRunner,
  args: {
    workspaceId: string;
    ranges: DeliveryKeyRange[];
    reason: string;
    now: Date;
    channels?: string[] | null;
    /** only steps recorded with this reason (e.g. `capped`: deferred by the marketing cap) */
    onlyReason?: string;
    /** leave steps whose definition says `kind: "service"` (do-not-disturb stops marketing only) */
    marketingOnly?: boolean;
  },
): Promise<{ steps: number; tasks: TaskPayload[]; skipped: Array<{ customerId: string; dueAt: Date }> }> {
  if (args.ranges.length === 0) return { steps: 0, tasks: [], skipped: [] };
  // A step's kind is in its journey version's definition (the enrollment's), not on the delivery row.
  // Checked again on the updated row: a row another transaction changed meanwhile is judged as it is now.
  const pending = `d.workspace_id = $1 AND d.status IN ('due', 'held', 'task') AND ($3::text[] IS NULL OR d.channel = ANY($3::text[])) AND ($4::text IS NULL OR d.reason = $4)`;
  const keys = await tx.query<{ key: string; customer_id: string; due_at: Date }>(
    `UPDATE deliveries d SET status = 'skipped', reason = $2, next_attempt_at = NULL
     FROM ${keysInRanges(6, pending)}
     WHERE d.key = k.key AND ${pending}
       AND (NOT $5::boolean OR NOT EXISTS (
         SELECT 1 FROM enrollments e JOIN journeys j ON j.workspace_id = e.workspace_id AND j.key = e.journey_key AND j.version = e.journey_version
           CROSS JOIN LATERAL jsonb_array_elements(j.definition->'stages') AS s(stage)
           CROSS JOIN LATERAL jsonb_array_elements(COALESCE(s.stage->'sop', '[]'::jsonb)) AS st(step)
         WHERE e.id = d.enrollment_id AND s.stage->>'id' = d.stage AND st.step->>'id' = d.step_id AND st.step->>'kind' = 'service'))
     RETURNING d.key, d.customer_id, d.due_at`,
    [args.workspaceId, args.reason, args.channels ?? null, args.onlyReason ?? null, args.marketingOnly ?? false, ...rangeParams(args.ranges)],
  );
  if (keys.length === 0) return { steps: 0, tasks: [], skipped: [] };
  const skipped = keys.map((k) => ({ customerId: k.customer_id, dueAt: new Date(k.due_at) }));
  const tasks = await tx.query<{ id: string; seq: string; staff_id: string; customer_id: string; kind: string; channel: string | null; content: string | null; title: string; due_at: Date; delivery_key: string | null }>(
    `UPDATE tasks SET status = 'skipped', completed_at = $2 WHERE delivery_key = ANY($1::text[]) AND status IN ('open', 'snoozed')
     RETURNING id, seq::text AS seq, staff_id, customer_id, kind, channel, content, title, due_at, delivery_key`,
    [keys.map((k) => k.key), args.now],
  );
  const cancelled: TaskPayload[] = tasks.map((t) => ({
    change: "removed",
    id: t.id,
    seq: t.seq,
    workspaceId: args.workspaceId,
    staffId: t.staff_id,
    customerId: t.customer_id,
    kind: t.kind,
    channel: t.channel,
    content: t.content,
    title: t.title,
    dueAt: new Date(t.due_at).toISOString(),
    deliveryKey: t.delivery_key,
  }));
  return { steps: keys.length, tasks: cancelled, skipped };
}
