/**
 * Follow-up of open 群发助手 tasks: get_groupmsg_send_result per (msgid, sender) marks each customer's
 * delivery sent (status 1), failed 'not-a-friend' (2) or skipped 'skipped-quota' (3: the customer
 * already received another 群发, WeCom's budget was used); status 0 stays pending. When nobody is
 * left pending the mass send and its task are done.
 */
import type { WeComApi } from "../../channels/wecom/api.js";
import type { GroupMsgSendResult } from "../../channels/wecom/types.js";
import type { SqlRunner } from "../../db/index.js";
import type { TaskPayload } from "../../live/pubsub.js";
import { TASK_COLUMNS, type TaskRow, taskPayload } from "./create.js";

export interface OpenMassSend {
  id: string;
  workspace_id: string;
  msgid: string;
  sender: string;
  task_id: string | null;
  created_at: Date;
}

/** Leases due polls so parallel workers do not poll the same task. */
export async function claimPolls(sql: SqlRunner, now: Date, leaseMs: number, limit: number, workspaceIds?: string[]): Promise<OpenMassSend[]> {
  return sql.query<OpenMassSend>(
    `UPDATE mass_sends SET next_poll_at = $2 WHERE id = ANY(ARRAY(
       SELECT id FROM mass_sends WHERE status = 'open' AND next_poll_at <= $1 AND ($4::text[] IS NULL OR workspace_id = ANY($4::text[]))
       ORDER BY next_poll_at LIMIT $3 FOR UPDATE SKIP LOCKED))
     RETURNING id, workspace_id, msgid, sender, task_id, created_at`,
    [now, new Date(now.getTime() + leaseMs), limit, workspaceIds ?? null],
  );
}

const OUTCOME: Record<number, string | undefined> = { 1: "sent", 2: "not-a-friend", 3: "skipped-quota" };

export interface PollOptions {
  now: Date;
  pollIntervalMs: number;
  /** After this long, customers still unsent fail as 'unconfirmed' and the task is closed. */
  expireAfterMs: number;
}

/** Applies one task's results; returns counts and task notices to publish after commit. */
export async function applySendResults(tx: SqlRunner, ms: OpenMassSend, results: GroupMsgSendResult[], o: PollOptions): Promise<{ sent: number; failed: number; pending: number; tasks: TaskPayload[] }> {
  const rows = results.filter((r) => r.external_userid !== undefined && OUTCOME[r.status] !== undefined);
  const changed = await tx.query<{ delivery_key: string; outcome: string; sent_at: Date | null }>(
    `UPDATE mass_send_targets t SET outcome = v.outcome FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS v(ext, outcome, sent_at)
     WHERE t.mass_send_id = $1 AND t.external_user_id = v.ext AND t.outcome = 'pending'
     RETURNING t.delivery_key, t.outcome, v.sent_at`,
    [ms.id, rows.map((r) => r.external_userid!), rows.map((r) => OUTCOME[r.status]!), rows.map((r) => (r.send_time ? new Date(r.send_time * 1000) : o.now))],
  );
  const sent = changed.filter((c) => c.outcome === "sent");
  const failed = changed.filter((c) => c.outcome === "not-a-friend");
  const quota = changed.filter((c) => c.outcome === "skipped-quota");
  if (sent.length > 0) {
    await tx.execute(
      `UPDATE deliveries d SET status = 'sent', sent_at = v.at FROM unnest($1::text[], $2::timestamptz[]) AS v(key, at) WHERE d.key = v.key AND d.status = 'pending'`,
      [sent.map((s) => s.delivery_key), sent.map((s) => s.sent_at ?? o.now)],
    );
  }
  if (failed.length > 0) {
    await tx.execute(
      `UPDATE deliveries SET status = 'failed', provider_error = 'not-a-friend', reason = 'get_groupmsg_send_result status 2: not a friend of the sender any more'
       WHERE key = ANY($1::text[]) AND status = 'pending'`,
      [failed.map((f) => f.delivery_key)],
    );
  }
  if (quota.length > 0) {
    // WeCom's budget let another 群发 through instead: skipped, not failed (nothing was wrong with ours).
    await tx.execute(`UPDATE deliveries SET status = 'skipped', reason = 'skipped-quota' WHERE key = ANY($1::text[]) AND status = 'pending'`, [quota.map((f) => f.delivery_key)]);
  }
  let [{ n: pending } = { n: 0 }] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM mass_send_targets WHERE mass_send_id = $1 AND outcome = 'pending'`, [ms.id]);
  const tasks: TaskPayload[] = [];
  const expired = pending > 0 && o.now.getTime() - new Date(ms.created_at).getTime() >= o.expireAfterMs;
  if (expired) {
    const keys = await tx.query<{ delivery_key: string }>(`UPDATE mass_send_targets SET outcome = 'failed' WHERE mass_send_id = $1 AND outcome = 'pending' RETURNING delivery_key`, [ms.id]);
    await tx.execute(`UPDATE deliveries SET status = 'failed', provider_error = 'unconfirmed', reason = 'the staff member did not confirm the 群发助手 task in time' WHERE key = ANY($1::text[]) AND status = 'pending'`, [keys.map((k) => k.delivery_key)]);
    pending = 0;
  }
  if (pending === 0) {
    await tx.execute(`UPDATE mass_sends SET status = 'done', completed_at = $2, next_poll_at = NULL, next_remind_at = NULL WHERE id = $1`, [ms.id, o.now]);
    if (ms.task_id) {
      const done = await tx.query<TaskRow>(
        `UPDATE tasks SET status = $3, completed_at = $2 WHERE id = $1 AND status IN ('open', 'snoozed') RETURNING ${TASK_COLUMNS}`,
        [ms.task_id, o.now, expired ? "skipped" : "done"],
      );
      tasks.push(...done.map((t) => taskPayload(t, "updated")));
    }
  } else {
    await tx.execute(`UPDATE mass_sends SET next_poll_at = $2 WHERE id = $1`, [ms.id, new Date(o.now.getTime() + o.pollIntervalMs)]);
  }
  return { sent: sent.length, failed: failed.length + quota.length, pending, tasks };
}

/** Fetches and applies the results of one open mass send. */
export async function pollMassSend(
  transaction: <R>(fn: (tx: SqlRunner) => Promise<R>) => Promise<R>,
  api: WeComApi,
  ms: OpenMassSend,
  o: PollOptions,
): Promise<{ sent: number; failed: number; pending: number; tasks: TaskPayload[] }> {
  const results = await api.getAllGroupMsgSendResults({ msgid: ms.msgid, userid: ms.sender });
  return transaction((tx) => applySendResults(tx, ms, results, o));
}
