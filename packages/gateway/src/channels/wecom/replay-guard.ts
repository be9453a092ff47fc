/**
 * Replay protection for signed callbacks: a timestamp-skew check plus a seen-set of
 * (msg_signature, nonce) kept as long as the timestamp would still pass the skew check, so an
 * entry is only forgotten once replaying it would fail anyway.
 *
 * It is in-memory and per process: it stops captured-request replays; the persisted event dedupe
 * key (callback-events.ts) is what stops WeCom's own retries across gateway instances.
 */
import { ReplayedCallbackError } from "./callback-errors.js";

/** Options of {@link createReplayGuard}. */
export interface ReplayGuardOptions {
  /** Milliseconds since epoch. */
  now: () => number;
  /** Accepted |now - timestamp| and seen-set lifetime; default 5 minutes. */
  windowMs?: number;
}

/** Seen-set + skew check; `check` before processing, `record` after a message was accepted. */
export interface ReplayGuard {
  /** Throws ReplayedCallbackError when the timestamp is out of window or the pair was seen. */
  check(msgSignature: string, nonce: string, timestampSec: number): void;
  /** Remembers the pair until it would fail the skew check anyway. */
  record(msgSignature: string, nonce: string, timestampSec: number): void;
  /** Number of remembered pairs (for metrics/tests). */
  size(): number;
}

/** Creates an empty guard with the injected clock. */
export function createReplayGuard(opts: ReplayGuardOptions): ReplayGuard {
  const windowMs = opts.windowMs ?? 5 * 60_000;
  const seen = new Map<string, number>(); // key → expiry (epoch ms)
  let lastPrune = Number.NEGATIVE_INFINITY;

  const keyOf = (sig: string, nonce: string) => `${sig}\u0000${nonce}`;

  function prune(now: number): void {
    // A full scan at most every quarter window keeps the cost amortised and memory bounded.
    if (now - lastPrune < windowMs / 4) return;
    lastPrune = now;
    for (const [k, exp] of seen) if (exp <= now) seen.delete(k);
  }

  return {
    check(sig, nonce, timestampSec) {
      const now = opts.now();
      if (!Number.isFinite(timestampSec)) throw new ReplayedCallbackError("timestamp is not a number");
      const skew = Math.abs(now - timestampSec * 1000);
      if (skew > windowMs) throw new ReplayedCallbackError(`timestamp ${timestampSec} is ${Math.round(skew / 1000)} s from now (window ${windowMs / 1000} s)`);
      prune(now);
      const exp = seen.get(keyOf(sig, nonce));
      if (exp !== undefined && exp > now) throw new ReplayedCallbackError("msg_signature + nonce already seen");
    },
    record(sig, nonce, timestampSec) {
      seen.set(keyOf(sig, nonce), timestampSec * 1000 + windowMs);
    },
    size: () => seen.size,
  };
}
