import { describe, expect, it } from "vitest";
import { DEFERRED_GAP_MS, type JourneyDefinition, JourneyDefinitionError, defineJourney, lintJourney, placeTouches } from "@sopline/core";
import { SH } from "./helpers.js";

// Five steps due on the entry day at 23:30, a window 07:30–22:00: the core moves them all to 07:30.
const late: JourneyDefinition = {
  id: "late", version: 1, timezone: SH, entry: "new",
  window: { from: "07:30", to: "22:00" },
  stages: [{ id: "new", sop: ["a", "b", "c", "d", "e"].map((id, i) => ({ id, day: 0, at: "23:30", channel: "official_account" as const, content: id, priority: 50 + i })) }],
};
const iso = (t: number) => new Date(t).toISOString();

describe("marketing cap placement (pure)", () => {
  it("spreads 5 touches due at 23:30 over days under a cap of 2 a day, inside the window, not all at 07:30", () => {
    const journey = defineJourney(late);
    const { state, effects } = journey.advance(journey.enroll({ id: "c1" }, "2026-12-01T23:00:00+08:00"), { type: "tick", at: "2026-12-02T07:30:00+08:00" });
    const due = effects.filter((e) => e.type === "step.due");
    expect(due.map((e) => e.dueAt)).toEqual(Array(5).fill("2026-12-01T23:30:00.000Z"));
    const placed = placeTouches({ perDay: 2 }, [], due.map((e) => ({ at: Date.parse(e.dueAt), plan: journey.touchPlan(state, e.stage, e.stepId)! })));
    const byStep = Object.fromEntries(due.map((e, i) => [e.stepId, iso(placed[i]!)]));
    // Priorities decide: e (54) and d (53) first, then c and b, then a.
    expect(byStep).toEqual({
      e: "2026-12-01T23:30:00.000Z", // 07:30 on the 2nd, Shanghai
      d: "2026-12-02T00:30:00.000Z", // an hour later: touches moved to the opening do not pile up
      c: "2026-12-02T23:30:00.000Z", // 07:30 on the 3rd
      b: "2026-12-03T00:30:00.000Z", // an hour later: deferred touches do not pile up
      a: "2026-12-03T23:30:00.000Z",
    });
  });

  it("counts touches already planned in other journeys and a weekly cap", () => {
    const journey = defineJourney(late);
    const state = journey.enroll({ id: "c1" }, "2026-12-01T23:00:00+08:00");
    const plan = journey.touchPlan(state, "new", "a")!;
    const at = Date.parse("2026-12-02T10:00:00+08:00");
    expect(placeTouches({ perDay: 1 }, [at - 3_600_000], [{ at, plan }]).map(iso)).toEqual(["2026-12-03T02:00:00.000Z"]);
    // 3 a week: two touches on the 1st and 2nd, one on the 3rd already planned → the next fits on the 8th.
    const taken = ["2026-12-01T10:00:00+08:00", "2026-12-02T10:00:00+08:00", "2026-12-03T10:00:00+08:00"].map(Date.parse);
    expect(placeTouches({ perDay: 2, perWeek: 3 }, taken, [{ at: Date.parse("2026-12-04T10:00:00+08:00"), plan }]).map(iso)).toEqual(["2026-12-08T02:00:00.000Z"]);
    expect(DEFERRED_GAP_MS).toBe(3_600_000);
  });

  it("service steps say so; priority is validated with its path", () => {
    const journey = defineJourney({ ...late, stages: [{ id: "new", sop: [{ id: "notice", day: 0, at: "10:00", channel: "official_account", content: "n", kind: "service" }] }] });
    expect(journey.touchPlan(journey.enroll({ id: "c" }, "2026-12-01T08:00:00+08:00"), "new", "notice")).toMatchObject({ kind: "service", priority: 50 });
    for (const [priority, message] of [[101, "priority 101 is above 100"], [-1, "priority -1 is below 0"], [1.5, "priority 1.5 is not a whole number"]] as const) {
      const bad = { ...late, stages: [{ id: "new", sop: [{ id: "x", day: 0, at: "10:00", channel: "sms" as const, content: "x", priority }] }] };
      expect(() => defineJourney(bad)).toThrow(JourneyDefinitionError);
      expect(() => defineJourney(bad)).toThrow(/stages\[0\]\.sop\[0\]\.priority/);
      expect(() => defineJourney(bad)).toThrow(message);
    }
  });

  it("lint warns about more marketing touches a day than the workspace cap", () => {
    const issues = lintJourney(late, undefined, { marketingCap: { perDay: 2 } });
    expect(issues.filter((i) => i.code === "over-marketing-cap")).toEqual([
      { level: "warning", code: "over-marketing-cap", path: "stages[0]", message: expect.stringMatching(/5 marketing touches on day 0, more than the workspace's cap of 2 a day/) },
    ]);
    expect(lintJourney(late, undefined, { marketingCap: { perDay: 5 } }).some((i) => i.code === "over-marketing-cap")).toBe(false);
    expect(lintJourney(late).some((i) => i.code === "over-marketing-cap")).toBe(false);
  });
});
