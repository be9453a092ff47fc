/**
 * The persisted mini-program subscribe quota book (table subscribe_quotas), one row per (workspace,
 * app, openid, template). Same rules as channels/wechat/subscribe-quota.ts, applied atomically in SQL.
 */
import { grantFromSubscribeResult, type RequestSubscribeResult } from "../channels/wechat/subscribe-quota.js";
import type { SqlRunner } from "../db/index.js";

export interface QuotaKey {
  workspaceId: string;
  appId: string;
  openid: string;
  templateId: string;
}

const KEY = `workspace_id = $1 AND app_id = $2 AND openid = $3 AND template_id = $4`;
const params = (k: QuotaKey) => [k.workspaceId, k.appId, k.openid, k.templateId];

/**
 * Records what wx.requestSubscribeMessage resolved with: +1 per accepted template. Call it from the
 * endpoint the mini-program reports to. Returns the templates accepted and not accepted.
 */
export async function grantSubscribeQuota(
  sql: SqlRunner,
  args: { workspaceId: string; appId: string; openid: string; result: RequestSubscribeResult },
): Promise<{ accepted: string[]; notAccepted: string[] }> {
  // The pure function validates the result (≤ 3 templates) and says which were accepted.
  const { accepted, notAccepted } = grantFromSubscribeResult({}, args.openid, args.result);
  if (accepted.length > 0) {
    await sql.execute(
      `INSERT INTO subscribe_quotas (workspace_id, app_id, openid, template_id, remaining)
       SELECT $1, $2, $3, t, 1 FROM unnest($4::text[]) AS t
       ON CONFLICT (workspace_id, app_id, openid, template_id) DO UPDATE SET remaining = subscribe_quotas.remaining + 1, updated_at = now()`,
      [args.workspaceId, args.appId, args.openid, accepted],
    );
  }
  return { accepted, notAccepted };
}

/** Sends left for the key. */
export async function remainingSubscribeQuota(sql: SqlRunner, key: QuotaKey): Promise<number> {
  const [row] = await sql.query<{ remaining: number }>(`SELECT remaining FROM subscribe_quotas WHERE ${KEY}`, params(key));
  return row?.remaining ?? 0;
}

/** Takes one authorisation; false when none is left. Atomic, so two workers cannot both use the last one. */
export async function consumeSubscribeQuota(sql: SqlRunner, key: QuotaKey): Promise<boolean> {
  return (await sql.execute(`UPDATE subscribe_quotas SET remaining = remaining - 1, updated_at = now() WHERE ${KEY} AND remaining > 0`, params(key))) > 0;
}

/** Gives one back after a send that did not go out. */
export async function refundSubscribeQuota(sql: SqlRunner, key: QuotaKey): Promise<void> {
  await sql.execute(`UPDATE subscribe_quotas SET remaining = remaining + 1, updated_at = now() WHERE ${KEY}`, params(key));
}

/** WeChat answered 43101: the user has no authorisation left whatever we counted. */
export async function markSubscribeRefused(sql: SqlRunner, key: QuotaKey): Promise<void> {
  await sql.execute(`UPDATE subscribe_quotas SET remaining = 0, updated_at = now() WHERE ${KEY}`, params(key));
}
