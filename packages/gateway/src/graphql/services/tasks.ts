import type { SqlRunner } from "../../db/index.js";
import { taskTopic, boardTopic, type AlertPayload, type TaskPayload } from "../../live/pubsub.js";
import type { Context } from "../context.js";
import { requireAuth } from "../context.js";
import { badInput, notFound } from "../errors.js";
import { answerOpportunities } from "../../opportunities/answer.js";

export type TaskFeedPayload = (TaskPayload | AlertPayload) & { status?: string };

interface TaskRow {
  id: string;
  seq: string;
  workspace_id: string;
  staff_id: string;
  customer_id: string;
  kind: string;
  channel: string | null;
  content: string | null;
  title: string;
  status: string;
  due_at: Date;
  delivery_key: string | null;
}

const COLUMNS = "id, seq::text AS seq, workspace_id, staff_id, customer_id, kind, channel, content, title, status, due_at, delivery_key";

/** `via`: the chat toolbar reported the message sent (sendChatMessage:ok); only for chat tasks. */
export type TaskAction = { type: "complete"; via?: "sendChatMessage" } | { type: "skip"; reason: string } | { type: "snooze"; until: Date };

/**
 * Completes, skips or snoozes a task the caller may act on (a staff token: only their own), in one
 * transaction with its delivery, then publishes an "updated" notice on the owner's feed and a board
 * change. Completing a done task again returns it unchanged.
 */
export async function changeTask(ctx: Context, id: string, action: TaskAction): Promise<string> {
  const auth = requireAuth(ctx);
  const now = ctx.now;
  if (action.type === "snooze" && action.until.getTime() <= now.getTime()) {
    throw badInput(`until: must be after now (${now.toISOString()}), got ${action.until.toISOString()}`);
  }
  const row = await ctx.db.sql.transaction(async (tx: SqlRunner) => {
    const [task] = await tx.query<TaskRow>(
      `SELECT ${COLUMNS} FROM tasks WHERE id = $1 AND workspace_id = $2 ${auth.kind === "staff" ? "AND staff_id = $3" : ""} FOR UPDATE`,
      auth.kind === "staff" ? [id, auth.workspaceId, auth.staffId] : [id, auth.workspaceId],
    );
    if (!task) throw notFound("task", id);
    if (action.type === "complete" && action.via && (task.kind !== "chat" || task.channel !== "private_chat")) {
      throw badInput(`id: task ${id} is a ${task.kind} task${task.channel ? ` on ${task.channel}` : ""}, not a 1:1 chat task: the chat toolbar cannot report it sent`);
    }
    const target = action.type === "complete" ? "done" : action.type === "skip" ? "skipped" : "snoozed";
    if (task.status === target && action.type !== "snooze") return null; // idempotent retry
    if (task.status === "done" || task.status === "skipped") throw badInput(`task ${id} is already ${task.status}`);
    const [updated] = await tx.query<TaskRow>(
      `UPDATE tasks SET status = $2,
         completed_at = CASE WHEN $2 IN ('done', 'skipped') THEN $3::timestamptz ELSE completed_at END,
         snoozed_until = CASE WHEN $2 = 'snoozed' THEN $4::timestamptz ELSE snoozed_until END
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, target, now, action.type === "snooze" ? action.until : null],
    );
    if (task.delivery_key && action.type !== "snooze") {
      await tx.execute(
        `UPDATE deliveries SET status = $2, sent_at = CASE WHEN $2 = 'sent' THEN $3::timestamptz ELSE sent_at END, reason = COALESCE($4, reason),
           provider_id = COALESCE($6, provider_id) WHERE key = $1 AND workspace_id = $5`,
        [task.delivery_key, action.type === "complete" ? "sent" : "skipped", now, action.type === "skip" ? `staff: ${action.reason}` : null, auth.workspaceId, action.type === "complete" ? (action.via ?? null) : null],
      );
    }
    // A chat or call done answers the customer: their open opportunities leave today's lists.
    if (action.type === "complete" && (task.kind === "chat" || task.kind === "call")) await answerOpportunities(tx, auth.workspaceId, [task.customer_id], now);
    return updated!;
  });
  if (row) {
    const payload: TaskFeedPayload = {
      change: "updated",
      id: row.id,
      seq: row.seq,
      workspaceId: row.workspace_id,
      staffId: row.staff_id,
      customerId: row.customer_id,
      kind: row.kind,
      channel: row.channel,
      content: row.content,
      title: row.title,
      dueAt: new Date(row.due_at).toISOString(),
      deliveryKey: row.delivery_key,
      status: row.status,
    };
    ctx.pubsub.publish(taskTopic(row.workspace_id, row.staff_id), payload);
    ctx.pubsub.publish(boardTopic(row.workspace_id), { workspaceId: row.workspace_id });
  }
  return id;
}
