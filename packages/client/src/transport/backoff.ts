/**
 * Exponential backoff with jitter, shaped as graphql-ws's `retryWait(retries)` so one policy
 * serves socket reconnects, feed catch-ups and event flush retries. Randomness and sleeping are
 * injectable: tests pass `random: () => 0.5` and a `sleep` that records instead of waiting.
 */

/** Options for {@link exponentialBackoff} and {@link backoffDelay}. */
export interface BackoffOptions {
  /** Delay cap for attempt 0 (default 1 000 ms). */
  baseMs?: number;
  /** Largest delay cap (default 30 000 ms). */
  maxMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** A number in [0, 1) (default `Math.random`). */
  random?: () => number;
  /** Waits `ms` (default `setTimeout`). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Delay before retry number `attempt` (0-based): a random point in the upper half of
 * `min(maxMs, baseMs * factor^attempt)` ("equal jitter"): spread out so a gateway restart does
 * not get every mini-program back in the same millisecond, yet never near zero.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { baseMs = 1_000, maxMs = 30_000, factor = 2, random = Math.random } = options;
  const cap = Math.min(maxMs, baseMs * factor ** Math.max(0, attempt));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/**
 * A `retryWait(attempt)` function that sleeps for {@link backoffDelay}.
 *
 * @example
 * createSubscriptionClient({ url, retryWait: exponentialBackoff({ baseMs: 500, maxMs: 10_000 }) });
 */
export function exponentialBackoff(options: BackoffOptions = {}): (attempt: number) => Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return (attempt) => sleep(backoffDelay(attempt, options));
}
