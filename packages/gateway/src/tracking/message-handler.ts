/**
 * The /t/m.<token> routes: links of one-to-many messages (a 群发助手 task, a Moments post).
 *   GET  /t/m.<token>         in WeChat with an official account: snsapi_base first. A reader who is
 *                             one of the message's recipients gets the landing page of THEIR OWN
 *                             delivery's tracked link: open, dwell, clicks and shares are then
 *                             recorded exactly as for a one-to-one link (handler.ts), with their
 *                             delivery key. Anyone else gets the message's anonymous landing page.
 *   HEAD /t/m.<token>         200, nothing recorded
 *   POST /t/m.<token>/open    the anonymous page became visible → one anonymous open of the message
 *   POST /t/m.<token>/beat|leave|click   accepted, not recorded (an anonymous reader has no dwell to attribute)
 * A tampered, unknown or made-up token answers 404 "Not found", as delivery tokens do.
 */
import type http from "node:http";
import type { SqlRunner } from "../db/index.js";
import { BEACON_KINDS, PAGE_VIEW, badBeacon, beaconNotFound, clientAddress, noContent, notFound, readBody } from "./handler.js";
import type { MessageSigner } from "./message-token.js";
import { landingPage } from "./pages.js";
import type { RateLimiter } from "./rate-limit.js";
import { type ReaderOAuth, OAUTH_STATE, authorizeUrl, isWeChatBrowser, openIdForCode } from "./reader-oauth.js";
import { TRACK_PATH } from "./render.js";
import type { LinkSigner } from "./token.js";
import { trackDeliveries } from "./tracked-deliveries.js";
import { type TrackedMessage, recipientDelivery, recordAnonymousOpen } from "./tracked-messages.js";

export interface MessageHandlerDeps {
  sql: SqlRunner;
  messageSigner: MessageSigner;
  /** The delivery-token signer: a recipient continues on their own delivery's link. */
  signer: LinkSigner;
  load: (id: bigint) => Promise<TrackedMessage | null>;
  limiter: RateLimiter;
  clock: () => Date;
  publicUrl: string;
  oauth?: ReaderOAuth | undefined;
  trustProxy?: boolean | undefined;
}

/** Serves one /t/m.<token>[/<action>] request. */
export type MessageHandler = (req: http.IncomingMessage, res: http.ServerResponse, token: string, action: string | undefined, query: URLSearchParams) => Promise<void>;

const HEADERS = { "cache-control": "no-store", "x-robots-tag": "noindex", "referrer-policy": "no-referrer" };

export function createMessageHandler(deps: MessageHandlerDeps): MessageHandler {
  async function resolve(token: string): Promise<{ message: TrackedMessage; link: number; target: string } | null> {
    const ref = deps.messageSigner.verify(token);
    if (!ref) return null;
    const message = await deps.load(ref.messageId);
    const target = message?.links[ref.link];
    return message && target ? { message, link: ref.link, target } : null;
  }

  /** The landing page of the recipient's own delivery for this link, or null when `openid` is no recipient. */
  async function recipientPage(message: TrackedMessage, link: number, openid: string): Promise<string | null> {
    const mine = await recipientDelivery(deps.sql, message, openid);
    if (!mine) return null;
    // Their delivery's tracked row, made on their first open (the same row if it exists already).
    const row = (await trackDeliveries(deps.sql, [{ ...mine, workspaceId: message.workspaceId, links: message.links }])).get(mine.deliveryKey);
    const target = row?.links[link];
    if (!row || !target) return null;
    const token = deps.signer.sign({ trackedId: row.id, link });
    return landingPage({ openUrl: `${deps.publicUrl}${TRACK_PATH}${token}/open`, target, token, reader: openid, readerMac: deps.signer.mac(token, openid) });
  }

  async function landing(req: http.IncomingMessage, res: http.ServerResponse, token: string, query: URLSearchParams): Promise<void> {
    const found = await resolve(token);
    if (!found) return notFound(res);
    if (req.method === "HEAD") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...HEADERS });
      return void res.end();
    }
    const self = `${deps.publicUrl}${TRACK_PATH}${token}`;
    let page: string | null = null;
    if (deps.oauth && isWeChatBrowser(req.headers["user-agent"])) {
      const code = query.get("code");
      if (code && query.get("state") === OAUTH_STATE) {
        const openid = await openIdForCode(deps.oauth, code);
        if (openid) page = await recipientPage(found.message, found.link, openid);
      } else if (!query.has("state")) {
        res.writeHead(302, { location: authorizeUrl(deps.oauth.appId, self), ...HEADERS });
        return void res.end();
      }
    }
    page ??= landingPage({ openUrl: `${self}/open`, target: found.target, token });
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...HEADERS });
    res.end(page);
  }

  async function beacon(req: http.IncomingMessage, res: http.ServerResponse, token: string, action: string): Promise<void> {
    const text = await readBody(req);
    const found = await resolve(token);
    if (!found) return beaconNotFound(res);
    if (action !== "open") return noContent(res);
    let pv: unknown;
    try {
      pv = text === null ? undefined : (JSON.parse(text) as { pv?: unknown } | null)?.pv;
    } catch {
      pv = undefined;
    }
    if (typeof pv !== "string" || !PAGE_VIEW.test(pv)) return badBeacon(res, 'body: expected JSON like {"pv":"<page view id>"} (8–48 letters, digits, - or _)');
    const now = deps.clock();
    // Opens past the address's rate are not counted; the page still led the reader on.
    if (!deps.limiter.allow(clientAddress(req, deps.trustProxy), now.getTime())) return noContent(res);
    await recordAnonymousOpen(deps.sql, { openKey: `${token}:${pv}`, workspaceId: found.message.workspaceId, messageId: found.message.id, link: found.link, at: now });
    return noContent(res);
  }

  return async (req, res, token, action, query) => {
    if (action === undefined && (req.method === "GET" || req.method === "HEAD")) return landing(req, res, token, query);
    if (action !== undefined && req.method === "POST" && BEACON_KINDS.has(action)) return beacon(req, res, token, action);
    req.resume();
    return notFound(res);
  };
}
