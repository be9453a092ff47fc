import { unauthenticated } from "../errors.js";
import type { Context } from "../context.js";

/** What a subscription's stream yields once its staff token has expired: the last payload. */
const EXPIRED = Symbol("token expired");

/**
 * A staff token is checked when a subscription starts; this keeps it from outliving the token: the
 * first payload after the expiry (by the gateway's clock) is replaced by an UNAUTHENTICATED error
 * (see `resolveLive`) and the subscription ends, so the client reconnects with a fresh token.
 * API keys do not expire.
 */
export function untilTokenExpires<T>(ctx: Context, source: AsyncIterable<T>): AsyncIterable<T> {
  const auth = ctx.auth;
  if (auth?.kind !== "staff") return source;
  // A hand-written iterator, not an async generator: a generator waiting for the next payload
  // could not pass the client's unsubscribe (return) on to the source until a payload came.
  const it = source[Symbol.asyncIterator]();
  let ended = false;
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      if (ended) return { done: true, value: undefined };
      const r = await it.next();
      if (r.done || ctx.clock().getTime() < auth.expiresAt) return r;
      ended = true;
      void it.return?.();
      return { done: false, value: EXPIRED as T };
    },
    async return(value?: unknown) {
      ended = true;
      await it.return?.(value);
      return { done: true, value: undefined };
    },
    async throw(err?: unknown) {
      ended = true;
      await it.return?.();
      throw err;
    },
  };
  return iterator;
}

/** Wraps a subscription field's resolve: the expiry marker becomes the UNAUTHENTICATED error. */
export function resolveLive<P, R>(resolve: (payload: P) => R): (payload: P) => R {
  return (payload) => {
    if ((payload as unknown) === EXPIRED) throw unauthenticated("the staff token has expired: subscribe again with a new token");
    return resolve(payload);
  };
}
