import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { iso } from "../src/time.js";

// iso() assembles whole seconds from prebuilt parts; it must match Date#toISOString everywhere.
describe("iso", () => {
  it("matches Date#toISOString for any instant", () => {
    const ms = fc.oneof(
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.integer({ min: 0, max: 253_402_300_800 }).map((s) => s * 1000),
      fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }).map((s) => s * 1000),
    );
    fc.assert(
      fc.property(ms, (t) => {
        expect(iso(t)).toBe(new Date(t).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it("handles the edges of the fixed-width range", () => {
    for (const t of [0, 999, 1000, -1000, 1.5, 999.9, 1e14 + 0.015625, 253_402_300_799_000, 253_402_300_800_000, 86_399_000, 86_400_000]) {
      expect(iso(t)).toBe(new Date(t).toISOString());
    }
  });
});
