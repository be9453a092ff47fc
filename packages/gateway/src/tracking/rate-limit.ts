/**
 * Counts opens per client address in fixed one-minute windows (in memory, per gateway process):
 * past the limit an open is not recorded, though the reader still lands on the page. A scraper or
 * a shared proxy hammering links then cannot inflate open rates.
 */
export interface RateLimiter {
  /** True when this hit is within the limit for `address` at `nowMs`. */
  allow(address: string, nowMs: number): boolean;
}

const WINDOW_MS = 60_000;
/** Addresses remembered in one window (bounds the memory a flood of addresses can take). */
const MAX_ADDRESSES = 100_000;

export function createRateLimiter(perMinute: number, maxAddresses = MAX_ADDRESSES): RateLimiter {
  if (!Number.isInteger(perMinute) || perMinute < 1) throw new Error(`tracking.opensPerMinutePerAddress: expected a positive integer, got ${perMinute}`);
  // Only the current window's counts are kept: a new window starts from an empty map, so nothing
  // is ever scanned. Past `maxAddresses` in one window the address seen longest ago is forgotten
  // (it may then count from zero again: a flood of new addresses cannot grow the map or slow a hit).
  let windowStart = -1;
  let counts = new Map<string, number>();
  return {
    allow(address, nowMs) {
      const start = nowMs - (nowMs % WINDOW_MS);
      if (start !== windowStart) {
        windowStart = start;
        counts = new Map();
      }
      const count = (counts.get(address) ?? 0) + 1;
      if (count === 1 && counts.size >= maxAddresses) counts.delete(counts.keys().next().value!);
      counts.set(address, count);
      return count <= perMinute;
    },
  };
}
