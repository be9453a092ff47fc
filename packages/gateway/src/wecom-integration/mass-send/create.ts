/**
 * Step 2 of a 群发助手 send: one add_msg_template call per group (outside any transaction), then one
 * transaction recording the result: the msgid, fail_list customers failed, ONE 'mass_send' task for
 * the staff member to confirm. A transient error puts the deliveries back (with backoff: they join
 * the next slot after it); a permanent one fails them with WeCom's code.
 */
import type { WeComApi } from "../../channels/wecom/api.js";
import type { SqlRunner } from "../../db/index.js";
import { DeliveryError, classifyFailure } from "../../delivery/errors.js";
import { retryDelayMs } from "../../delivery/worker.js";
import type { TaskPayload } from "../../live/pubsub.js";
import { weComMessage } from "../content.js";
import type { RenderMessage } from "../render-message.js";
import type { MassSendGroup } from "./claim.js";

export interface CreateOptions {
  now: Date;
  pollIntervalMs: number;
  remindAfterMs: number;
  retry: { maxAttempts: number; baseMs: number; maxMs?: number };
  /** Tracked links: the body with its links naming this 群发 task (src/tracking message-render.ts). */
  renderMessage?: RenderMessage | undefined;
}

export type CreateOutcome = { status: "created"; msgid: string; failList: string[]; tasks: TaskPayload[] } | { status: "retry" | "failed"; code: string };

const TASK_COLUMNS = "id, seq::text AS seq, workspace_id, staff_id, customer_id, kind, channel, content, title, due_at, delivery_key";
type TaskRow = { id: string; seq: string; workspace_id: string; staff_id: string; customer_id: string; kind: string; channel: string | null; content: string | null; title: string; due_at: Date; delivery_key: string | null };

export function taskPayload(t: TaskRow, change: TaskPayload["change"]): TaskPayload {
  return { change, id: t.id, seq: t.seq, workspaceId: t.workspace_id, staffId: t.staff_id, customerId: t.customer_id, kind: t.kind, channel: t.channel, content: t.content, title: t.title, dueAt: new Date(t.due_at).toISOString(), deliveryKey: t.delivery_key };
}
export { TASK_COLUMNS, type TaskRow };

/** Calls WeCom for one group and records the outcome (in `transaction`). */
export async function createMassSend(
  transaction: <R>(fn: (tx: SqlRunner) => Promise<R>) => Promise<R>,
  api: WeComApi | undefined,
  group: MassSendGroup,
  o: CreateOptions,
): Promise<CreateOutcome> {
  let reply: { msgid: string; fail_list: string[] };
  try {
    if (!api) throw new DeliveryError({ code: "not_configured", permanent: true, message: `no WeCom client for workspace ${group.workspaceId}` });
    // A failure to record the tracked message is transient like a failed call: the group is retried.
    const body = o.renderMessage && group.contentBody != null
      ? await o.renderMessage(
          { workspaceId: group.workspaceId, kind: "mass_send", ref: group.id, journeyKey: group.journeyKey, stage: group.stage, stepId: group.stepId, content: group.content, channel: "private_chat", staffId: group.staffId },
          group.contentBody,
        )
      : group.contentBody;
    reply = await api.addMsgTemplate({
      chat_type: "single",
      external_userid: group.targets.map((t) => t.externalUserId),
      sender: group.sender,
      ...weComMessage(group.content, body),
    });
  } catch (error) {
    return transaction((tx) => recordFailure(tx, group, error, o));
  }
  return transaction((tx) => recordCreated(tx, group, reply, o));
}

async function recordCreated(tx: SqlRunner, g: MassSendGroup, reply: { msgid: string; fail_list: string[] }, o: CreateOptions): Promise<CreateOutcome> {
  const updated = await tx.execute(
    `UPDATE mass_sends SET msgid = $2, status = 'open', lease_until = NULL, next_poll_at = $3, next_remind_at = $4 WHERE id = $1 AND status = 'creating'`,
    [g.id, reply.msgid, new Date(o.now.getTime() + o.pollIntervalMs), new Date(o.now.getTime() + o.remindAfterMs)],
  );
  // Lease expired and the claim was undone meanwhile: the deliveries are another worker's now.
  if (updated === 0) return { status: "failed", code: "lease_expired" };
  const failed = new Set(reply.fail_list);
  const failedKeys = g.targets.filter((t) => failed.has(t.externalUserId)).map((t) => t.key);
  const live = g.targets.filter((t) => !failed.has(t.externalUserId));
  if (failedKeys.length > 0) {
    await tx.execute(`UPDATE mass_send_targets SET outcome = 'fail_list' WHERE mass_send_id = $1 AND delivery_key = ANY($2::text[])`, [g.id, failedKeys]);
    await tx.execute(
      `UPDATE deliveries SET status = 'failed', provider_error = 'fail_list', provider_id = $2,
         reason = 'add_msg_template fail_list: not a customer of this staff member, or over WeCom''s limit' WHERE key = ANY($1::text[]) AND status = 'pending'`,
      [failedKeys, reply.msgid],
    );
  }
  // Clears what an earlier deferral or failed try wrote.
  await tx.execute(`UPDATE deliveries SET provider_id = $2, provider_error = NULL, reason = NULL WHERE key = ANY($1::text[]) AND status = 'pending'`, [live.map((t) => t.key), reply.msgid]);
  const tasks: TaskPayload[] = [];
  if (live.length > 0) {
    const [task] = await tx.query<TaskRow>(
      `INSERT INTO tasks (workspace_id, staff_id, customer_id, kind, channel, content, title, due_at)
       VALUES ($1, $2, $3, 'mass_send', 'private_chat', $4, $5, $6) RETURNING ${TASK_COLUMNS}`,
      [g.workspaceId, g.staffId, live[0]!.customerId, g.content, `群发助手 · ${g.content} → ${live.length} customers (confirm in WeCom)`, g.slotAt],
    );
    await tx.execute(`UPDATE mass_sends SET task_id = $2 WHERE id = $1`, [g.id, task!.id]);
    tasks.push(taskPayload(task!, "created"));
  } else {
    await tx.execute(`UPDATE mass_sends SET status = 'done', completed_at = $2 WHERE id = $1`, [g.id, o.now]);
  }
  return { status: "created", msgid: reply.msgid, failList: reply.fail_list, tasks };
}

async function recordFailure(tx: SqlRunner, g: MassSendGroup, error: unknown, o: CreateOptions): Promise<CreateOutcome> {
  const f = classifyFailure(error);
  const claimed = await tx.execute(`DELETE FROM mass_sends WHERE id = $1 AND status = 'creating'`, [g.id]); // targets cascade: nothing counts against the cap
  if (claimed === 0) return { status: "failed", code: "lease_expired" };
  const attempts = Math.max(...g.targets.map((t) => t.attempts));
  const keys = g.targets.map((t) => t.key);
  if (f.permanent || attempts >= o.retry.maxAttempts) {
    await tx.execute(`UPDATE deliveries SET status = 'failed', provider_error = $2, reason = $3 WHERE key = ANY($1::text[]) AND status = 'pending'`, [
      keys,
      f.code,
      f.permanent ? `add_msg_template: ${f.message}` : `add_msg_template gave up after ${attempts} attempts: ${f.message}`,
    ]);
    return { status: "failed", code: f.code };
  }
  await tx.execute(`UPDATE deliveries SET status = 'task', next_attempt_at = $2, provider_error = $3, reason = $4 WHERE key = ANY($1::text[]) AND status = 'pending'`, [
    keys,
    new Date(o.now.getTime() + retryDelayMs(attempts, o.retry)),
    f.code,
    `add_msg_template: ${f.message}`,
  ]);
  return { status: "retry", code: f.code };
}

/** Undoes 'creating' claims whose lease expired (a worker died mid-call): the deliveries become 'task' again. */
export async function recoverStaleCreates(tx: SqlRunner, now: Date): Promise<number> {
  const stale = await tx.query<{ id: string }>(`SELECT id FROM mass_sends WHERE status = 'creating' AND lease_until <= $1 FOR UPDATE SKIP LOCKED`, [now]);
  if (stale.length === 0) return 0;
  const ids = stale.map((s) => s.id);
  await tx.execute(
    `UPDATE deliveries SET status = 'task', next_attempt_at = NULL WHERE key IN (SELECT delivery_key FROM mass_send_targets WHERE mass_send_id = ANY($1::text[])) AND status = 'pending'`,
    [ids],
  );
  await tx.execute(`DELETE FROM mass_sends WHERE id = ANY($1::text[])`, [ids]);
  return ids.length;
}
