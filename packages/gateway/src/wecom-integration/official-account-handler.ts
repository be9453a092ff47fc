/**
 * The official account's message-push URL as a fetch-style handler: GET answers the URL check,
 * POST verifies (plaintext or safe mode), and follow / unfollow / scan events are processed in one
 * short transaction before answering "success" (well inside WeChat's 5 s); a follower's message is
 * recorded as `message.replied` (official-account-messages.ts). Retries are deduplicated by the
 * stored event id (FromUserName + CreateTime + event, or MsgId); other pushes are acknowledged and ignored.
 */
import { type PushConfig, followDedupeKey, messageDedupeKey, openPush, parseCustomerMessage, parseFollowEvent, verifyPushUrl } from "../channels/wechat/message-push.js";
import { CallbackError } from "../channels/wecom/callback-errors.js";
import { createReplayGuard } from "../channels/wecom/replay-guard.js";
import type { Clock } from "../clock.js";
import type { Database } from "../db/index.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import { emptyNotices } from "../engine/persist-advances.js";
import { publishNotices } from "../live/publish-notices.js";
import { type LivePubSub, taskTopic } from "../live/pubsub.js";
import { type FollowResult, handleFollowEvent } from "./follow-events.js";
import { type MessageResult, recordOfficialAccountMessage } from "./official-account-messages.js";

export interface OfficialAccountHandlerOptions {
  db: Database;
  registry: JourneyRegistry;
  workspaceId: string;
  /** appId, the push Token, and the EncodingAESKey for safe mode. */
  account: PushConfig;
  clock: Clock;
  /** Journey for followers no segment rule matches (none: recorded, not enrolled). */
  defaultJourney?: string;
  pubsub?: LivePubSub;
  /** Largest accepted body (64 KiB). */
  maxBodyBytes?: number;
  onProcessed?: (result: (FollowResult | MessageResult) & { dedupeKey: string }) => void;
  log?: (message: string) => void;
}

const STATUS: Record<CallbackError["kind"], number> = { Malformed: 400, BadSignature: 401, WrongCorpId: 403, Replayed: 409 };
const text = (body: string, status = 200) => new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

/** Builds the handler; mount it on the server URL of the official account's 基本配置 (GET and POST). */
export function createOfficialAccountHandler(options: OfficialAccountHandlerOptions): (request: Request) => Promise<Response> {
  const { db, registry, workspaceId, account, clock } = options;
  const replayGuard = createReplayGuard({ now: () => clock().getTime() });
  const maxBody = options.maxBodyBytes ?? 65_536;
  return async (request) => {
    const query = Object.fromEntries(new URL(request.url).searchParams);
    try {
      if (request.method === "GET") return text(verifyPushUrl(account, query));
      if (request.method !== "POST") return new Response("method not allowed", { status: 405, headers: { allow: "GET, POST" } });
      if (Number(request.headers.get("content-length") ?? 0) > maxBody) return text("body too large", 413);
      const body = await request.text();
      if (Buffer.byteLength(body) > maxBody) return text("body too large", 413);
      const fields = openPush({ ...account, replayGuard }, query, body);
      const message = parseCustomerMessage(fields);
      if (message) {
        const dedupeKey = messageDedupeKey(account.appId, message);
        const notices = emptyNotices();
        const result = await recordOfficialAccountMessage(db, registry, workspaceId, message, dedupeKey, clock(), notices);
        if (options.pubsub) publishNotices(options.pubsub, notices);
        options.onProcessed?.({ ...result, dedupeKey });
        return text("success");
      }
      const event = parseFollowEvent(fields);
      if (!event) return text("success");
      const dedupeKey = followDedupeKey(account.appId, event);
      const notices = emptyNotices();
      const now = clock();
      const result = await db.sql.transaction((tx) =>
        handleFollowEvent({ tx, registry, workspaceId, now, notices, ...(options.defaultJourney ? { defaultJourney: options.defaultJourney } : {}) }, event, dedupeKey),
      );
      if (options.pubsub) {
        publishNotices(options.pubsub, notices);
        if ("removedTasks" in result) for (const t of result.removedTasks) options.pubsub.publish(taskTopic(t.workspaceId, t.staffId), t);
      }
      options.onProcessed?.({ ...result, dedupeKey });
      return text("success");
    } catch (error) {
      if (error instanceof CallbackError) return text(error.kind, STATUS[error.kind]);
      options.log?.(`official account push: ${(error as Error).stack ?? String(error)}`);
      return text("error", 500); // WeChat retries; the stored event id makes the retry idempotent
    }
  };
}
