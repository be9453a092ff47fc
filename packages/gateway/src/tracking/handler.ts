/**
 * The /t/ routes (Node req/res, no GraphQL on this hot path):
 *   GET  /t/beacon.js              the beacon script for operators' own H5 pages
 *   GET  /t/<token>                the landing page (after snsapi_base OAuth in WeChat when configured)
 *   HEAD /t/<token>                200, nothing recorded
 *   POST /t/<token>/open           the page became visible → content.opened (or content.shared)
 *   POST /t/<token>/beat           heartbeat with the visible seconds so far (kept in memory)
 *   POST /t/<token>/leave          pagehide → content.read { seconds }
 *   POST /t/<token>/click          a link clicked inside → link.clicked { href }
 * A tampered, unknown or made-up token answers 404 "Not found" whatever was wrong with it.
 */
import type http from "node:http";
import type { EventInput } from "../events/event-input.js";
import type { EventRecorder } from "./event-recorder.js";
import type { MessageHandler } from "./message-handler.js";
import { isMessageToken } from "./message-token.js";
import { BEACON_SCRIPT, landingPage } from "./pages.js";
import type { RateLimiter } from "./rate-limit.js";
import { type ReaderOAuth, OAUTH_STATE, authorizeUrl, isWeChatBrowser, openIdForCode } from "./reader-oauth.js";
import { TRACK_PATH } from "./render.js";
import type { LinkRef, LinkSigner } from "./token.js";
import type { TrackedDelivery } from "./tracked-deliveries.js";

export const BEACON_PATH = "/t/beacon.js";
const MAX_BEACON_BYTES = 4_096;
export const PAGE_VIEW = /^[A-Za-z0-9_-]{8,48}$/;
const OPENID = /^[A-Za-z0-9_-]{1,64}$/;
/** Longest dwell believed from one page view (a tab left open for days is not reading). */
export const MAX_READ_SECONDS = 4 * 3_600;

export interface TrackingHandlerDeps {
  signer: LinkSigner;
  load: (id: bigint) => Promise<TrackedDelivery | null>;
  recorder: EventRecorder;
  limiter: RateLimiter;
  clock: () => Date;
  publicUrl: string;
  oauth?: ReaderOAuth | undefined;
  /** Take the client address from X-Forwarded-For (behind a proxy you run). */
  trustProxy?: boolean | undefined;
  /** A page view without a heartbeat for this long is recorded as read at its last heartbeat (default 60 s). */
  readIdleMs?: number | undefined;
  log?: ((message: string) => void) | undefined;
  /** Queued events past which a beacon's answer waits for its commit (default 10,000). */
  maxBacklog?: number | undefined;
  /** Serves /t/m.<token> (links of one-to-many messages: message-handler.ts). */
  messages?: MessageHandler | undefined;
}

interface View {
  tracked: TrackedDelivery;
  link: number;
  token: string;
  pv: string;
  seconds: number;
  lastAt: number;
}

const MAX_VIEWS = 100_000;
export const BEACON_KINDS = new Set(["open", "beat", "leave", "click"]);
// Header objects of the hot answers, built once (writeHead copies them into the response).
const NO_CONTENT_HEADERS = { "cache-control": "no-store", "access-control-allow-origin": "*" };

export interface TrackingHandler {
  (req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void>;
  /** Records content.read for page views whose heartbeats stopped without a pagehide beacon. */
  sweep(now: Date): Promise<number>;
}

const NOT_FOUND_HEADERS = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };
const BEACON_ERROR_HEADERS = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "access-control-allow-origin": "*" };

export const notFound = (res: http.ServerResponse, headers = NOT_FOUND_HEADERS) => {
  res.writeHead(404, headers);
  res.end("Not found");
};

/** A beacon's 404: readable cross-origin, like every beacon answer. */
export const beaconNotFound = (res: http.ServerResponse) => notFound(res, BEACON_ERROR_HEADERS);

/** A beacon's 400 (beacons come from the target's origin too, so it is readable cross-origin). */
export const badBeacon = (res: http.ServerResponse, message: string) => {
  res.writeHead(400, BEACON_ERROR_HEADERS);
  res.end(message);
};

export const noContent = (res: http.ServerResponse) => {
  res.writeHead(204, NO_CONTENT_HEADERS);
  res.end();
};

export function clientAddress(req: http.IncomingMessage, trustProxy: boolean | undefined): string {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? "unknown";
}

export function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    // A beacon's body is tens of bytes: almost always one chunk, kept without copying.
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_BEACON_BYTES) return;
      if (first === undefined) first = chunk;
      else (more ??= [first]).push(chunk);
    });
    req.once("end", () => {
      if (size > MAX_BEACON_BYTES) return resolve(null);
      resolve(more ? Buffer.concat(more).toString("utf8") : (first?.toString("utf8") ?? ""));
    });
    req.once("error", reject);
  });
}

export function createTrackingHandler(deps: TrackingHandlerDeps): TrackingHandler {
  const { signer, load, recorder, limiter, clock } = deps;
  const readIdleMs = deps.readIdleMs ?? 60_000;
  const maxBacklog = deps.maxBacklog ?? 10_000;
  const views = new Map<string, View>();

  /** The delivery and link a token names, or null (→ 404). */
  async function resolve(token: string): Promise<{ ref: LinkRef; tracked: TrackedDelivery; target: string } | null> {
    const ref = signer.verify(token);
    if (!ref) return null;
    const tracked = await load(ref.trackedId);
    const target = tracked?.links[ref.link];
    return tracked && target ? { ref, tracked, target } : null;
  }

  const event = (tracked: TrackedDelivery, link: number, id: string, name: string, extra: Record<string, unknown> = {}, at = clock()): EventInput => ({
    id,
    customer: tracked.customerExternalId,
    customerIdKind: "external",
    name,
    at,
    data: { deliveryKey: tracked.deliveryKey, journey: tracked.journeyKey, stage: tracked.stage, step: tracked.stepId, content: tracked.content, link: tracked.links[link], linkIndex: link, ...extra },
  });

  /**
   * Queues the event for the next ingest batch. The beacon is answered at once while the backlog
   * is small (the page has moved on; nothing waits for the answer); past `maxBacklog` the answer
   * waits for the commit, which slows the senders down instead of growing the queue.
   */
  const record = (tracked: TrackedDelivery, e: EventInput): Promise<void> | undefined => {
    if (recorder.backlog() >= maxBacklog) return recorder.record(tracked.workspaceId, e);
    recorder.enqueue(tracked.workspaceId, e, (err) => deps.log?.(`tracked event ${e.name} of ${tracked.deliveryKey} not recorded: ${(err as Error).message}`));
    return undefined;
  };

  async function landing(req: http.IncomingMessage, res: http.ServerResponse, token: string, query: URLSearchParams): Promise<void> {
    const found = await resolve(token);
    if (!found) return notFound(res);
    const headers = { "cache-control": "no-store", "x-robots-tag": "noindex", "referrer-policy": "no-referrer" };
    if (req.method === "HEAD") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...headers });
      return void res.end();
    }
    const self = `${deps.publicUrl}${TRACK_PATH}${token}`;
    let reader: string | undefined;
    // Only worth asking who reads when the customer's own openid is known to compare with.
    if (deps.oauth && found.tracked.customerOpenId && isWeChatBrowser(req.headers["user-agent"])) {
      const code = query.get("code");
      if (code && query.get("state") === OAUTH_STATE) reader = (await openIdForCode(deps.oauth, code)) ?? undefined;
      else if (!query.has("state")) {
        res.writeHead(302, { location: authorizeUrl(deps.oauth.appId, self), ...headers });
        return void res.end();
      }
    }
    const page = landingPage({
      openUrl: `${self}/open`,
      target: found.target,
      token,
      ...(reader ? { reader, readerMac: signer.mac(token, reader) } : {}),
    });
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...headers });
    res.end(page);
  }

  async function beacon(req: http.IncomingMessage, res: http.ServerResponse, token: string, kind: string): Promise<void> {
    const text = await readBody(req);
    const found = await resolve(token);
    if (!found) return beaconNotFound(res);
    let body: Record<string, unknown>;
    try {
      const parsed = text === null ? null : JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error();
      body = parsed as Record<string, unknown>;
    } catch {
      return badBeacon(res, `body: expected JSON like {"pv":"<page view id>"} of at most ${MAX_BEACON_BYTES} bytes`);
    }
    const pv = body["pv"];
    if (typeof pv !== "string" || !PAGE_VIEW.test(pv)) {
      return badBeacon(res, "pv: expected the page view id (8–48 letters, digits, - or _)");
    }
    const { tracked, ref } = found;
    const at = clock();
    const now = at.getTime();
    if (kind === "open") {
      // Opens past the address's rate are not counted; the page still led the reader on.
      if (!limiter.allow(clientAddress(req, deps.trustProxy), now)) return noContent(res);
      const reader = typeof body["reader"] === "string" && OPENID.test(body["reader"]) && body["rm"] === signer.mac(token, body["reader"]) ? body["reader"] : undefined;
      if (reader && tracked.customerOpenId && reader !== tracked.customerOpenId) {
        await record(tracked, event(tracked, ref.link, `sl:s:${token}:${reader}`, "content.shared", { reader }, at));
      } else {
        await record(tracked, event(tracked, ref.link, `sl:o:${token}:${pv}`, "content.opened", undefined, at));
      }
      return noContent(res);
    }
    const seconds = typeof body["s"] === "number" && Number.isFinite(body["s"]) ? Math.min(MAX_READ_SECONDS, Math.max(0, Math.round(body["s"]))) : 0;
    const viewKey = `${token}\u0000${pv}`;
    if (kind === "beat") {
      const view = views.get(viewKey);
      if (view) {
        view.seconds = Math.max(view.seconds, seconds);
        view.lastAt = now;
      } else if (views.size < MAX_VIEWS) {
        views.set(viewKey, { tracked, link: ref.link, token, pv, seconds, lastAt: now });
      }
      return noContent(res);
    }
    if (kind === "leave") {
      const view = views.get(viewKey);
      views.delete(viewKey);
      await record(tracked, event(tracked, ref.link, `sl:r:${token}:${pv}`, "content.read", { seconds: Math.max(seconds, view?.seconds ?? 0) }, at));
      return noContent(res);
    }
    // click
    if (!limiter.allow(clientAddress(req, deps.trustProxy), now)) return noContent(res);
    const href = body["href"];
    const n = body["n"];
    if (typeof href !== "string" || href.length > 2_000 || !Number.isInteger(n) || (n as number) < 1 || (n as number) > 10_000) {
      return badBeacon(res, "click: expected href (the link, at most 2,000 characters) and n (the click's number in this page view)");
    }
    await record(tracked, event(tracked, ref.link, `sl:c:${token}:${pv}:${n}`, "link.clicked", { href }, at));
    return noContent(res);
  }

  const handler = (async (req, res, path) => {
    if (path === BEACON_PATH && (req.method === "GET" || req.method === "HEAD")) {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=3600", "access-control-allow-origin": "*" });
      return void res.end(req.method === "HEAD" ? undefined : BEACON_SCRIPT);
    }
    const parts = path.slice(TRACK_PATH.length).split("/");
    const token = parts[0] ?? "";
    const queryOf = () => {
      const q = (req.url ?? "").indexOf("?");
      return new URLSearchParams(q === -1 ? "" : (req.url ?? "").slice(q + 1));
    };
    if (deps.messages && isMessageToken(token) && parts.length <= 2) return deps.messages(req, res, token, parts[1], queryOf());
    if (parts.length === 1 && (req.method === "GET" || req.method === "HEAD")) return landing(req, res, token, queryOf());
    if (parts.length === 2 && req.method === "POST" && BEACON_KINDS.has(parts[1]!)) {
      // Beacons come from the target's origin too (beacon.js on an operator's page): every answer
      // of beacon() carries access-control-allow-origin.
      return beacon(req, res, token, parts[1]!);
    }
    req.resume();
    return notFound(res);
  }) as TrackingHandler;

  handler.sweep = async (now) => {
    const stale: View[] = [];
    for (const [key, view] of views) {
      if (view.lastAt > now.getTime() - readIdleMs) continue;
      views.delete(key);
      stale.push(view);
    }
    // Same event id as the pagehide beacon's: whichever arrives first counts, once.
    await Promise.all(
      stale.map((v) =>
        recorder.record(v.tracked.workspaceId, event(v.tracked, v.link, `sl:r:${v.token}:${v.pv}`, "content.read", { seconds: v.seconds })).catch((err) =>
          deps.log?.(`tracked read of ${v.tracked.deliveryKey}: ${(err as Error).message}`),
        ),
      ),
    );
    return stale.length;
  };
  return handler;
}
