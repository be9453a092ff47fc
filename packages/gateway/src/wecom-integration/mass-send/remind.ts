/**
 * remind_groupmsg_send for 群发助手 tasks still unconfirmed: at most 3 per task per sliding 24 h
 * (checked with mass-send-limits.ts against the persisted reminder times).
 */
import type { WeComApi } from "../../channels/wecom/api.js";
import { checkRemind, recordRemind, type RemindPolicy } from "../../channels/wecom/mass-send-limits.js";
import type { SqlRunner } from "../../db/index.js";

interface DueReminder {
  id: string;
  workspace_id: string;
  msgid: string;
  reminded_at: Date[] | null;
}

export interface RemindOptions {
  now: Date;
  /** Gap between reminders of one task. */
  everyMs: number;
  policy: RemindPolicy;
  limit: number;
  workspaceIds?: string[] | undefined;
}

/** Sends the reminders that are due and allowed; returns how many were sent. */
export async function sendReminders(sql: SqlRunner, apiFor: (workspaceId: string) => WeComApi | undefined, o: RemindOptions, log?: (m: string) => void): Promise<number> {
  // Claiming moves next_remind_at first, so two workers never remind the same task twice.
  const due = await sql.query<DueReminder>(
    `UPDATE mass_sends SET next_remind_at = $2 WHERE id = ANY(ARRAY(
       SELECT id FROM mass_sends WHERE status = 'open' AND next_remind_at <= $1 AND ($4::text[] IS NULL OR workspace_id = ANY($4::text[]))
       ORDER BY next_remind_at LIMIT $3 FOR UPDATE SKIP LOCKED))
     RETURNING id, workspace_id, msgid, reminded_at`,
    [o.now, new Date(o.now.getTime() + o.everyMs), o.limit, o.workspaceIds ?? null],
  );
  let sent = 0;
  for (const r of due) {
    const history = (r.reminded_at ?? []).map((d) => new Date(d).getTime());
    const check = checkRemind(history, o.now.getTime(), o.policy);
    if (!check.ok) {
      await sql.execute(`UPDATE mass_sends SET next_remind_at = GREATEST(next_remind_at, $2) WHERE id = $1`, [r.id, new Date(check.error.retryAt)]);
      continue;
    }
    const api = apiFor(r.workspace_id);
    if (!api) continue;
    try {
      await api.remindGroupMsgSend(r.msgid);
    } catch (e) {
      log?.(`remind_groupmsg_send ${r.msgid}: ${(e as Error).message}`);
      continue;
    }
    const next = recordRemind(history, o.now.getTime(), o.policy).map((t) => new Date(t));
    await sql.execute(`UPDATE mass_sends SET reminded_at = $2::timestamptz[] WHERE id = $1`, [r.id, next]);
    sent++;
  }
  return sent;
}
