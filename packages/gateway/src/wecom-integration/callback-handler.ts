/**
 * The WeCom callback endpoint as a fetch-style handler: GET answers URL verification, POST verifies,
 * decrypts, stores the callback (wecom_callbacks), acknowledges with "success" (WeCom retries after
 * 5 s) and processes afterwards, serially per customer. Retries are deduplicated by callbackDedupeKey,
 * persisted as the event id; callbacks stored but not processed (the process stopped) are processed
 * by recover() at the next start.
 */
import { CallbackError } from "../channels/wecom/callback-errors.js";
import { openCallback, verifyUrl } from "../channels/wecom/callback-crypto.js";
import { type CallbackEvent, callbackDedupeKey, parseCallbackEvent } from "../channels/wecom/callback-events.js";
import { createReplayGuard, type ReplayGuard } from "../channels/wecom/replay-guard.js";
import type { WeComApi } from "../channels/wecom/api.js";
import type { Clock } from "../clock.js";
import type { Database, SqlRunner } from "../db/index.js";
import { isConnectionLoss } from "../db/connection-loss.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import { emptyNotices } from "../engine/persist-advances.js";
import { publishNotices } from "../live/publish-notices.js";
import { type LivePubSub, taskTopic } from "../live/pubsub.js";
import { createChannelClients } from "./clients.js";
import { type AddContactResult, type DeleteContactResult, handleAddContact, handleDeleteContact } from "./contact-events.js";
import type { RenderDeliveryBody } from "./render-message.js";
import { sendWelcome, type WelcomeOutcome } from "./welcome.js";

/** The callback settings of one corp's customer-contact app. */
export interface WeComCorpConfig {
  corpId: string;
  token: string;
  encodingAesKey: string;
  /** Secret of the customer-contact app (only used when `api` is not given). */
  secret?: string;
}

export interface WeComCallbackHandlerOptions {
  db: Database;
  registry: JourneyRegistry;
  /** The workspace this corp feeds. */
  workspaceId: string;
  corp: WeComCorpConfig;
  /** WeCom client (build it with createChannelClients to share the token cache); default: built from corp.secret. */
  api?: WeComApi;
  clock: Clock;
  /** Journey for new contacts no segment rule matches (none: they are recorded but not enrolled). */
  defaultJourney?: string;
  pubsub?: LivePubSub;
  /** send_welcome_msg window (20 s). */
  welcomeWindowMs?: number;
  /** Tracked links in the welcome message (src/tracking); absent: links go out as written. */
  renderWelcome?: RenderDeliveryBody;
  /** Accepted timestamp skew / replay memory (5 min). */
  replayWindowMs?: number;
  /** Largest accepted body (64 KiB). */
  maxBodyBytes?: number;
  /** Called after each callback was processed (or failed): logs, metrics, tests. */
  onProcessed?: (result: CallbackProcessed) => void;
  log?: (message: string) => void;
}

/** What processing a callback did. */
export interface CallbackProcessed {
  event: CallbackEvent;
  dedupeKey: string;
  outcome: "processed" | "duplicate" | "ignored" | "error";
  add?: Extract<AddContactResult, { duplicate: false }>;
  remove?: Extract<DeleteContactResult, { customerId: string }>;
  welcome?: WelcomeOutcome;
  error?: unknown;
}

/** The handler, plus drain() to await background processing (tests, graceful shutdown). */
export interface WeComCallbackHandler {
  (request: Request): Promise<Response>;
  /** Resolves when every accepted callback has been processed. */
  drain(): Promise<void>;
  /**
   * Processes the callbacks stored but never processed (at start: the process stopped in between;
   * while running: their processing failed) and removes processed ones older than KEEP_PROCESSED_MS
   * (retries are deduplicated by the stored events, not by these rows); resolves to how many it
   * processes. Callbacks being processed right now are left to that; `receivedBefore` leaves out
   * the ones that arrived since (the gateway passes a minute ago when it calls this periodically).
   */
  recover(options?: { receivedBefore?: Date }): Promise<number>;
}

/** Tries of one callback's processing when the database connection drops (then recover() takes over). */
const CONNECTION_LOSS_ATTEMPTS = 3;

/** How long a processed callback is kept (for inspection) before recover() removes it. */
export const KEEP_PROCESSED_MS = 30 * 86_400_000;

const STATUS: Record<CallbackError["kind"], number> = { Malformed: 400, BadSignature: 401, WrongCorpId: 403, Replayed: 409 };
const text = (body: string, status = 200) => new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

/** Builds the handler; mount it on the callback URL configured in the WeCom admin console (GET and POST). */
export function createWeComCallbackHandler(options: WeComCallbackHandlerOptions): WeComCallbackHandler {
  const { db, registry, workspaceId, corp, clock } = options;
  const api = options.api ?? apiFromSecret(corp, clock);
  const guard: ReplayGuard = createReplayGuard({ now: () => clock().getTime(), ...(options.replayWindowMs ? { windowMs: options.replayWindowMs } : {}) });
  const config = { corpId: corp.corpId, token: corp.token, encodingAesKey: corp.encodingAesKey };
  const maxBody = options.maxBodyBytes ?? 65_536;
  const pending = new Set<Promise<void>>();
  // Callbacks about one customer are processed in arrival order (an add, then its delete).
  const chains = new Map<string, Promise<void>>();
  // Dedupe keys scheduled and not yet done, so that recover() does not process them a second time.
  const inFlight = new Set<string>();

  function schedule(event: CallbackEvent, dedupeKey: string): void {
    const chainKey = chainOf(event, dedupeKey);
    inFlight.add(dedupeKey);
    const run = (chains.get(chainKey) ?? Promise.resolve()).then(() => process(event, dedupeKey));
    const tracked = run.finally(() => {
      pending.delete(tracked);
      inFlight.delete(dedupeKey);
      if (chains.get(chainKey) === tracked) chains.delete(chainKey);
    });
    chains.set(chainKey, tracked);
    pending.add(tracked);
  }

  async function process(event: CallbackEvent, dedupeKey: string, attempt = 1): Promise<void> {
    // Marks the stored callback processed, then reports (a failure is reported in the catch below
    // and leaves the callback for recover()).
    const report = async (r: Omit<CallbackProcessed, "event" | "dedupeKey">) => {
      await db.sql.execute(`UPDATE wecom_callbacks SET processed_at = $3 WHERE workspace_id = $1 AND dedupe_key = $2`, [workspaceId, dedupeKey, clock()]);
      options.onProcessed?.({ event, dedupeKey, ...r });
    };
    try {
      const notices = emptyNotices();
      const ctx = (tx: SqlRunner) => ({
        tx, registry, workspaceId, now: clock(), notices, welcomeLeaseMs: 60_000, ...(options.defaultJourney ? { defaultJourney: options.defaultJourney } : {}),
      });
      if (event.type === "add_external_contact" || event.type === "add_half_external_contact") {
        const result = await db.sql.transaction((tx) => handleAddContact(ctx(tx), event, dedupeKey));
        if (options.pubsub) publishNotices(options.pubsub, notices);
        if (result.duplicate) return await report({ outcome: "duplicate" });
        let welcome: WelcomeOutcome | undefined;
        if (result.welcome && event.welcomeCode) {
          welcome = await sendWelcome({ sql: db.sql, api, clock, claim: result.welcome, welcomeCode: event.welcomeCode, eventAt: new Date(event.createTime * 1000), windowMs: options.welcomeWindowMs ?? 20_000, renderBody: options.renderWelcome });
        }
        return await report({ outcome: "processed", add: result, ...(welcome ? { welcome } : {}) });
      }
      if (event.type === "del_external_contact" || event.type === "del_follow_user") {
        const result = await db.sql.transaction((tx) => handleDeleteContact(ctx(tx), event, dedupeKey));
        if (options.pubsub) {
          publishNotices(options.pubsub, notices);
          if ("removedTasks" in result) for (const t of result.removedTasks) options.pubsub.publish(taskTopic(t.workspaceId, t.staffId), t);
        }
        if (result.duplicate) return await report({ outcome: "duplicate" });
        return "ignored" in result ? await report({ outcome: "ignored" }) : await report({ outcome: "processed", remove: result });
      }
      await report({ outcome: "ignored" });
    } catch (error) {
      // A lost connection failed only its transaction: redo the callback now (processing is
      // idempotent: a second pass finds the stored event and reports a duplicate).
      if (isConnectionLoss(error) && attempt < CONNECTION_LOSS_ATTEMPTS) {
        options.log?.(`wecom callback ${dedupeKey}: database connection lost (${(error as Error).message}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        return process(event, dedupeKey, attempt + 1);
      }
      // left unprocessed in wecom_callbacks: recover() retries it (periodically, and at the next start)
      options.log?.(`wecom callback ${dedupeKey}: ${(error as Error).stack ?? String(error)}`);
      options.onProcessed?.({ event, dedupeKey, outcome: "error", error });
    }
  }

  async function handle(request: Request): Promise<Response> {
    const query = Object.fromEntries(new URL(request.url).searchParams);
    try {
      if (request.method === "GET") return text(verifyUrl(config, query));
      if (request.method !== "POST") return new Response("method not allowed", { status: 405, headers: { allow: "GET, POST" } });
      const declared = Number(request.headers.get("content-length") ?? 0);
      if (declared > maxBody) return text("body too large", 413);
      const body = await request.text();
      if (Buffer.byteLength(body) > maxBody) return text("body too large", 413);
      const opened = openCallback({ ...config, replayGuard: guard }, query, body);
      const event = parseCallbackEvent(opened.xml);
      const dedupeKey = callbackDedupeKey(event);
      // Stored before the answer (a failure here is a 500, and WeCom retries); processed after it:
      // WeCom wants an answer within 5 s.
      await db.sql.execute(
        `INSERT INTO wecom_callbacks (workspace_id, dedupe_key, event, received_at) VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT DO NOTHING`,
        [workspaceId, dedupeKey, JSON.stringify(event), clock()],
      );
      // A retry is processed too and found a duplicate there (by the stored event id).
      schedule(event, dedupeKey);
      return text("success");
    } catch (error) {
      if (error instanceof CallbackError) return text(error.kind, STATUS[error.kind]);
      options.log?.(`wecom callback: ${(error as Error).stack ?? String(error)}`);
      return text("error", 500);
    }
  }

  const handler = handle as WeComCallbackHandler;
  handler.drain = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
  handler.recover = async ({ receivedBefore } = {}) => {
    await db.sql.execute(`DELETE FROM wecom_callbacks WHERE workspace_id = $1 AND processed_at < $2`, [workspaceId, new Date(clock().getTime() - KEEP_PROCESSED_MS)]);
    const rows = await db.sql.query<{ dedupe_key: string; event: CallbackEvent }>(
      `SELECT dedupe_key, event FROM wecom_callbacks WHERE workspace_id = $1 AND processed_at IS NULL AND ($2::timestamptz IS NULL OR received_at < $2)
       ORDER BY received_at, dedupe_key`,
      [workspaceId, receivedBefore ?? null],
    );
    const waiting = rows.filter((r) => !inFlight.has(r.dedupe_key));
    for (const r of waiting) schedule(r.event, r.dedupe_key);
    return waiting.length;
  };
  return handler;
}

/** The chain a callback is processed in: its customer's (ExternalUserID) when it names one. */
function chainOf(event: CallbackEvent, dedupeKey: string): string {
  return "externalUserId" in event ? event.externalUserId : dedupeKey;
}

function apiFromSecret(corp: WeComCorpConfig, clock: Clock): WeComApi {
  if (!corp.secret) throw new Error("createWeComCallbackHandler: pass `api` or `corp.secret`");
  return createChannelClients({ clock, wecom: { corpId: corp.corpId, secret: corp.secret } }).wecom!;
}
