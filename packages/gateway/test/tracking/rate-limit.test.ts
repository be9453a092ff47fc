import { describe, expect, it } from "vitest";
import { createRateLimiter } from "../../src/tracking/rate-limit.js";

const MINUTE = 60_000;

describe("per-address open limit", () => {
  it("counts up to the limit per address in each one-minute window", () => {
    const limiter = createRateLimiter(2);
    const t = 10 * MINUTE;
    expect([1, 2, 3].map(() => limiter.allow("a", t + 5))).toEqual([true, true, false]);
    expect(limiter.allow("b", t + 59_999)).toBe(true);
    expect(limiter.allow("a", t + 59_999)).toBe(false);
    expect(limiter.allow("a", t + MINUTE)).toBe(true); // the next window starts over
  });

  it("keeps at most maxAddresses in a window, forgetting the one seen longest ago", () => {
    const limiter = createRateLimiter(1, 3);
    const t = 3 * MINUTE;
    for (const a of ["a", "b", "c"]) expect(limiter.allow(a, t)).toBe(true);
    expect(limiter.allow("b", t)).toBe(false);
    expect(limiter.allow("d", t)).toBe(true); // a is forgotten to make room
    expect(limiter.allow("a", t)).toBe(true);
    expect(limiter.allow("c", t)).toBe(false);
  });

  it("refuses a limit that is not a positive integer, naming the option", () => {
    expect(() => createRateLimiter(0)).toThrow(/tracking.opensPerMinutePerAddress: expected a positive integer, got 0/);
  });
});
