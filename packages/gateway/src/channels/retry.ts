/**
 * Exponential backoff for transient channel errors. The wait is injected so tests never sleep.
 * Use it only for idempotent calls (reads, token fetches): retrying a send after a network error
 * may deliver the message twice.
 */
import { isTransient } from "./errors.js";

/** How to retry. */
export interface RetryPolicy {
  /** Total tries including the first (default 3, WeCom advises ≤ 3 retries for -1). */
  attempts?: number;
  /** First wait in ms (default 500); doubles each time. */
  baseDelayMs?: number;
  /** Cap for a single wait (default 30 s). */
  maxDelayMs?: number;
  /** Waits `ms`; in production `(ms) => new Promise(r => setTimeout(r, ms))`. */
  sleep: (ms: number) => Promise<void>;
  /** Returns [0,1); jitter spreads retries of many workers. Default: no jitter. */
  random?: () => number;
}

/** Delay before retry number `retry` (1-based), before jitter. */
export function backoffDelay(retry: number, baseDelayMs = 500, maxDelayMs = 30_000): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
}

/** Runs `fn`, retrying transient ChannelErrors; permanent ones and other errors propagate at once. */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const attempts = Math.max(1, policy.attempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= attempts || !isTransient(e)) throw e;
      const base = backoffDelay(attempt, policy.baseDelayMs, policy.maxDelayMs);
      // "Equal jitter": keep at least half the delay so backoff still grows.
      const delay = policy.random ? base / 2 + (base / 2) * policy.random() : base;
      await policy.sleep(delay);
    }
  }
}
