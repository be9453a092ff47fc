/**
 * A follower's message to the official account is the customer replying: it is recorded as
 * `message.replied` with `data.source: "official_account"` through the same ingestion as any event
 * (once per MsgId, opt-out keywords such as 退订 honoured for the official account, journeys
 * advanced). A follower sopline has never seen is ignored unless the workspace creates unknown customers.
 */
import type { CustomerMessage } from "../channels/wechat/message-push.js";
import type { Database } from "../db/index.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import type { Notices } from "../engine/persist-advances.js";
import { ingestEvents } from "../events/ingest.js";
import { MESSAGE_REPLIED, REPLY_SOURCES } from "../replies/names.js";

/** Longest text kept in the event (WeChat's text messages stay well below it). */
const MAX_TEXT = 2_000;

export type MessageResult = { duplicate: boolean; type: "message"; recorded: boolean; rejected?: string };

export async function recordOfficialAccountMessage(
  db: Database,
  registry: JourneyRegistry,
  workspaceId: string,
  message: CustomerMessage,
  dedupeKey: string,
  now: Date,
  notices: Notices,
): Promise<MessageResult> {
  const at = Math.min(message.createTime * 1000, now.getTime());
  const data = {
    source: REPLY_SOURCES.officialAccount,
    channel: "official_account",
    msgType: message.msgType,
    openid: message.openid,
    ...(message.text !== undefined ? { text: message.text.slice(0, MAX_TEXT) } : {}),
  };
  const result = await ingestEvents(db, registry, workspaceId, [{ id: dedupeKey, customer: message.openid, customerIdKind: "openid", name: MESSAGE_REPLIED, at, data }], now, notices);
  const rejected = result.rejected[0];
  return { duplicate: result.duplicates > 0, type: "message", recorded: result.accepted > 0, ...(rejected ? { rejected: `${rejected.code}: ${rejected.message}` } : {}) };
}
