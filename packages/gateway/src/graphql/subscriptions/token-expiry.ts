import type { StaffAuth } from "../../auth/index.js";
import { type RevocationPayload, revocationTopic } from "../../live/pubsub.js";
import { unauthenticated } from "../errors.js";
import type { Context } from "../context.js";

/** What a subscription's stream yields, as its last payload, once its staff token has expired or was revoked. */
const EXPIRED = Symbol("token expired");
const REVOKED = Symbol("token revoked");

/**
 * How long a live subscription trusts its staff token between checks against the database. A
 * revocation ends subscriptions at once through the pub/sub (every gateway, with Redis); this
 * re-check bounds the delay when that notice is missed (no Redis between gateways, Redis down,
 * a member deactivated): checked on delivery, so no payload goes out later than this after.
 */
export const LIVE_RECHECK_MS = 30_000;

/**
 * A staff token is checked when a subscription starts; this keeps it from outliving the token:
 * - a revocation of its session (or all of its member's) ends it at once, payload or not;
 * - the first payload after the token's expiry (by the gateway's clock), or after a re-check
 *   (at most every LIVE_RECHECK_MS) finds it revoked or its member inactive, is replaced by an
 *   UNAUTHENTICATED error (see `resolveLive`).
 * The subscription then ends, so the client reconnects with a fresh token. API keys do not expire.
 */
export function untilTokenExpires<T>(ctx: Context, source: AsyncIterable<T>): AsyncIterable<T> {
  const auth = ctx.auth;
  if (auth?.kind !== "staff") return source;
  // A hand-written iterator, not an async generator: a generator waiting for the next payload
  // could not pass the client's unsubscribe (return) on to the source until a payload came.
  const it = source[Symbol.asyncIterator]();
  const revocation = watchRevocation(ctx, auth);
  let ended = false;
  let checkedAt = ctx.clock().getTime();
  const end = () => {
    ended = true;
    revocation.stop();
    void it.return?.();
  };
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      if (ended) return { done: true, value: undefined };
      const r = await Promise.race([it.next(), revocation.revoked]);
      if (ended) return { done: true, value: undefined };
      if (r === REVOKED) {
        end();
        return { done: false, value: REVOKED as T };
      }
      if (r.done) {
        ended = true;
        revocation.stop();
        return r;
      }
      const now = ctx.clock().getTime();
      if (now >= auth.expiresAt) {
        end();
        return { done: false, value: EXPIRED as T };
      }
      if (now - checkedAt >= LIVE_RECHECK_MS) {
        checkedAt = now;
        if (!(await ctx.authenticator.stillValid(auth))) {
          end();
          return { done: false, value: REVOKED as T };
        }
      }
      return r;
    },
    async return(value?: unknown) {
      ended = true;
      revocation.stop();
      await it.return?.(value);
      return { done: true, value: undefined };
    },
    async throw(err?: unknown) {
      ended = true;
      revocation.stop();
      await it.return?.();
      throw err;
    },
  };
  return iterator;
}

/** Resolves `revoked` (to REVOKED) when a revocation of this token's session, or of all its member's, is published. */
function watchRevocation(ctx: Context, auth: StaffAuth): { revoked: Promise<typeof REVOKED>; stop(): void } {
  const notices = ctx.pubsub.subscribe(revocationTopic(auth.workspaceId, auth.staffId))[Symbol.asyncIterator]();
  const revoked = (async (): Promise<typeof REVOKED> => {
    for (;;) {
      const r = await notices.next();
      if (r.done) return new Promise<never>(() => {}); // stopped: never revoked by this watcher
      const p = r.value as RevocationPayload;
      if (p.workspaceId === auth.workspaceId && p.staffId === auth.staffId && (p.sessionId === null || p.sessionId === auth.sessionId)) return REVOKED;
    }
  })();
  return { revoked, stop: () => void notices.return?.() };
}

/** Wraps a subscription field's resolve: the expiry and revocation markers become UNAUTHENTICATED errors. */
export function resolveLive<P, R>(resolve: (payload: P) => R): (payload: P) => R {
  return (payload) => {
    if ((payload as unknown) === EXPIRED) throw unauthenticated("the staff token has expired: subscribe again with a new token");
    if ((payload as unknown) === REVOKED) throw unauthenticated("the staff token was revoked or its staff member deactivated: sign in again");
    return resolve(payload);
  };
}
