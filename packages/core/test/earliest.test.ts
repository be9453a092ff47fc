import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defineJourney } from "@sopline/core";
import { singleBase } from "../src/occurrences.js";
import { ZoneClock } from "../src/zone.js";

// next() passes over a single step when anchor + step.earliest is already past its two best
// candidates, so `earliest` must never exceed the real delay — in any zone, across any offset change
// (DST, and zones that jumped across the date line).
const ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/Sao_Paulo", "Australia/Lord_Howe", "Pacific/Apia", "Pacific/Kwajalein", "America/Adak", "Pacific/Kiritimati"];
const DAY = 86_400_000;

describe("step.earliest", () => {
  it("is a lower bound of a single step's delay after its anchor", () => {
    const timing = fc.oneof(
      fc.record({ day: fc.integer({ min: 0, max: 120 }), at: fc.option(fc.constantFrom("00:00", "00:30", "02:30", "09:00", "23:59"), { nil: undefined }) }),
      fc.record({ after: fc.constantFrom("0m", "90m", "1d", "2d", "3d", "1w", "1d12h", "1mo", "2mo", "1y", "P1M3D") }),
    );
    fc.assert(
      fc.property(timing, fc.constantFrom(...ZONES), fc.integer({ min: -40 * 365, max: 80 * 365 }), fc.integer({ min: 0, max: DAY - 1 }), (t, zone, day, ms) => {
        const when = "day" in t ? { day: t.day, ...(t.at === undefined ? {} : { at: t.at }) } : { after: t.after };
        const step = { id: "s", channel: "private_chat" as const, content: "c", ...when };
        const compiled = defineJourney({ id: "j", version: 1, timezone: zone, entry: "a", stages: [{ id: "a", sop: [step] }] }).compiled.stages.get("a")!.steps[0]!;
        const clock = ZoneClock.of(zone);
        const anchor = day * DAY + ms;
        const { day: wallDay, tod } = clock.wall(anchor);
        expect(singleBase(compiled, clock, anchor, wallDay, tod) - anchor).toBeGreaterThanOrEqual(compiled.earliest);
      }),
      { numRuns: 3000 },
    );
  });
});
