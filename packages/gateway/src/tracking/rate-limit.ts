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
/** Addresses remembered before old windows are dropped (bounds the memory a flood can take). */
const MAX_ADDRESSES = 100_000;

export function createRateLimiter(perMinute: number): RateLimiter {
  if (!Number.isInteger(perMinute) || perMinute < 1) throw new Error(`tracking.opensPerMinutePerAddress: expected a positive integer, got ${perMinute}`);
  const windows = new Map<string, { start: number; count: number }>();
  return {
    allow(address, nowMs) {
      const start = nowMs - (nowMs % WINDOW_MS);
      let w = windows.get(address);
      if (!w || w.start !== start) {
        if (windows.size >= MAX_ADDRESSES) for (const [a, old] of windows) if (old.start !== start) windows.delete(a);
        w = { start, count: 0 };
        windows.set(address, w);
      }
      w.count++;
      return w.count <= perMinute;
    },
  };
}
