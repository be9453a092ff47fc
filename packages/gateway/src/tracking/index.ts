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
import { createRateLimiter } from "./rate-limit.js";
import { type LinkTracker, createLinkTracker, normalizePublicUrl } from "./render.js";
import { createLinkSigner, trackingKey } from "./token.js";
import { cachedTrackedLoader } from "./tracked-deliveries.js";

export { linkIssues, rewriteLinks, isHttpUrl, MAX_TRACKED_LINKS, type LinkIssue } from "./content-links.js";
export { createLinkSigner, trackingKey, type LinkRef, type LinkSigner } from "./token.js";
export { createLinkTracker, TRACK_PATH, type LinkTracker } from "./render.js";
export { BEACON_PATH, MAX_READ_SECONDS, type TrackingHandler } from "./handler.js";
export { createEventRecorder, type EventRecorder } from "./event-recorder.js";

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
  const handler = createTrackingHandler({
    signer,
    load: cachedTrackedLoader(deps.db.sql),
    recorder,
    limiter: createRateLimiter(options.opensPerMinutePerAddress ?? DEFAULT_OPENS_PER_MINUTE),
    clock: deps.clock,
    publicUrl,
    oauth: oa ? { ...oa, ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.wechatBaseUrl ? { baseUrl: deps.wechatBaseUrl } : {}) } : undefined,
    trustProxy: options.trustProxy,
    readIdleMs: options.readIdleMs,
    log: deps.log,
  });
  const sweeper: Polling = createPolling("tracked reads", () => handler.sweep(deps.clock()), 15_000, deps.log, { firstRunAfterInterval: true });
  return {
    tracker: createLinkTracker({ sql: deps.db.sql, signer, publicUrl }),
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
