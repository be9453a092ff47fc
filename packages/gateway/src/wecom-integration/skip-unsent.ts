import type { SqlRunner } from "../db/index.js";
import { enrollmentKeyRanges } from "../delivery/read-by-range.js";
import { keysInRanges, rangeParams } from "../engine/delivery-key-range.js";
import type { TaskPayload } from "../live/pubsub.js";

// Checked again on the updated row: a row another transaction changed meanwhile is judged as it is now.
const UNSENT = "d.status IN ('due', 'held', 'task') AND ($2::text[] IS NULL OR d.channel = ANY($2::text[]))";

/**
 * Skips the unsent steps of some enrollments (all of them, or those on `channels`) with a reason,
 * and their open tasks; returns the tasks removed, for the live feeds.
 */
export async function skipUnsent(
  tx: SqlRunner,
  args: { workspaceId: string; customerId: string; enrollmentIds: string[]; channels: readonly string[] | null; reason: string; now: Date },
): Promise<{ skipped: number; removedTasks: TaskPayload[] }> {
  if (args.enrollmentIds.length === 0) return { skipped: 0, removedTasks: [] };
  const keys = await tx.query<{ key: string }>(
    `UPDATE deliveries d SET status = 'skipped', reason = $1
     FROM ${keysInRanges(3, UNSENT)}
     WHERE d.key = k.key AND ${UNSENT} RETURNING d.key`,
    [args.reason, args.channels ? [...args.channels] : null, ...rangeParams(await enrollmentKeyRanges(tx, args.enrollmentIds))],
  );
  if (keys.length === 0) return { skipped: 0, removedTasks: [] };
  const tasks = await tx.query<{ id: string; seq: string; staff_id: string; kind: string; channel: string | null; content: string | null; title: string; due_at: Date; delivery_key: string | null }>(
    `UPDATE tasks SET status = 'skipped', completed_at = $2 WHERE delivery_key = ANY($1::text[]) AND status IN ('open', 'snoozed')
     RETURNING id, seq::text AS seq, staff_id, kind, channel, content, title, due_at, delivery_key`,
    [keys.map((k) => k.key), args.now],
  );
  const removedTasks: TaskPayload[] = tasks.map((t) => ({
    change: "removed", id: t.id, seq: t.seq, workspaceId: args.workspaceId, staffId: t.staff_id, customerId: args.customerId, kind: t.kind,
    channel: t.channel, content: t.content, title: t.title, dueAt: new Date(t.due_at).toISOString(), deliveryKey: t.delivery_key,
  }));
  return { skipped: keys.length, removedTasks };
}
