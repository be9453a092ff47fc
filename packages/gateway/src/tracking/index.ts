/**
 * Tracked content: links in content bodies go out per delivery as signed short links
 * (`/t/<token>`), and what readers do with them comes back as events through the ingest.
 * See README "Tracked content".
 */
import type { Database } from "../db/index.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import { type Polling, createPolling } from "../engine/polling.js";
import type { LivePubSub } from "../live/pubsub.js";
import { type EventRecorder, createEventRecorder } from "./event-recorder.js";
import { type TrackingHandler, createTrackingHandler } from "./handler.js";
import { createMessageHandler } from "./message-handler.js";
import { type MessageTracker, createMessageTracker } from "./message-render.js";
import { createMessageSigner, messageTrackingKey } from "./message-token.js";
import { createRateLimiter } from "./rate-limit.js";
import { type LinkTracker, createLinkTracker, normalizePublicUrl } from "./render.js";
import { createLinkSigner, trackingKey } from "./token.js";
import { cachedTrackedLoader } from "./tracked-deliveries.js";
import { cachedMessageLoader } from "./tracked-messages.js";

export { linkIssues, rewriteLinks, isHttpUrl, MAX_TRACKED_LINKS, type LinkIssue } from "./content-links.js";
export { createLinkSigner, trackingKey, type LinkRef, type LinkSigner } from "./token.js";
export { createLinkTracker, TRACK_PATH, type LinkTracker } from "./render.js";
export { BEACON_PATH, MAX_READ_SECONDS, type TrackingHandler } from "./handler.js";
export { createEventRecorder, type EventRecorder } from "./event-recorder.js";
export { createMessageSigner, messageTrackingKey, MESSAGE_TOKEN_PREFIX, type MessageSigner, type MessageLinkRef } from "./message-token.js";
export { createMessageTracker, type MessageTracker } from "./message-render.js";
export type { MessageInput, MessageKind } from "./tracked-messages.js";

/** Default limit of counted opens per client address per minute. */
export const DEFAULT_OPENS_PER_MINUTE = 30;

export interface TrackingOptions {
  /** The gateway's public base URL as customers' browsers reach it, e.g. https://sop.example.com (env SOPLINE_PUBLIC_URL). */
  publicUrl: string;
  /** Opens (and clicks) counted per client address per minute; past it they are not recorded (default 30). */
  opensPerMinutePerAddress?: number;
  /** Read the client address from X-Forwarded-For (only behind a proxy you run). */
  trustProxy?: boolean;
  /** A page view whose heartbeats stopped this long ago without a pagehide beacon is recorded as read (default 60,000 ms). */
  readIdleMs?: number;
  /** false: never ask WeChat who reads (no snsapi_base redirect) even with an official account configured. */
  readerOAuth?: boolean;
}

export interface Tracking {
  tracker: LinkTracker;
  /** Tracked links of one-to-many messages (群发助手, Moments) and of bodies sent outside the delivery worker (welcome, chat tasks). */
  messages: MessageTracker;
  handler: TrackingHandler;
  recorder: EventRecorder;
  start(): void;
  stop(): Promise<void>;
}

export function createTracking(
  deps: {
    db: Database;
    registry: JourneyRegistry;
    pubsub?: LivePubSub;
    clock: () => Date;
    /** The server's secret key (SOPLINE_SECRET_KEY): the tracking key is derived from it. */
    secretKey: Uint8Array;
    officialAccount?: { appId: string; secret: string } | undefined;
    fetch?: typeof globalThis.fetch | undefined;
    wechatBaseUrl?: string | undefined;
    log?: (message: string) => void;
  },
  options: TrackingOptions,
): Tracking {
  const publicUrl = normalizePublicUrl(options.publicUrl);
  const signer = createLinkSigner(trackingKey(deps.secretKey));
  const recorder = createEventRecorder({
    db: deps.db,
    registry: deps.registry,
    clock: deps.clock,
    ...(deps.pubsub ? { pubsub: deps.pubsub } : {}),
    onIngested: (_ws, result) => {
      for (const r of result.rejected) deps.log?.(`tracked event not recorded: ${r.code} ${r.message}`);
    },
  });
  const oa = options.readerOAuth === false ? undefined : deps.officialAccount;
  const oauth = oa ? { ...oa, ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.wechatBaseUrl ? { baseUrl: deps.wechatBaseUrl } : {}) } : undefined;
  const limiter = createRateLimiter(options.opensPerMinutePerAddress ?? DEFAULT_OPENS_PER_MINUTE);
  const messageSigner = createMessageSigner(messageTrackingKey(deps.secretKey));
  const handler = createTrackingHandler({
    signer,
    load: cachedTrackedLoader(deps.db.sql),
    recorder,
    limiter,
    clock: deps.clock,
    publicUrl,
    oauth,
    trustProxy: options.trustProxy,
    readIdleMs: options.readIdleMs,
    log: deps.log,
    messages: createMessageHandler({
      sql: deps.db.sql, messageSigner, signer, load: cachedMessageLoader(deps.db.sql), limiter, clock: deps.clock, publicUrl, oauth, trustProxy: options.trustProxy,
    }),
  });
  const sweeper: Polling = createPolling("tracked reads", () => handler.sweep(deps.clock()), 15_000, deps.log, { firstRunAfterInterval: true });
  return {
    tracker: createLinkTracker({ sql: deps.db.sql, signer, publicUrl }),
    messages: createMessageTracker({ sql: deps.db.sql, signer, messageSigner, publicUrl }),
    handler,
    recorder,
    start: sweeper.start,
    async stop() {
      await sweeper.stop();
      await handler.sweep(new Date(8.64e15));
      await recorder.idle();
    },
  };
}
