import { describe, expect, it } from "vitest";
import { type JourneyDefinition, defineJourney } from "@sopline/core";
import { SH, dueTimes, sh } from "./helpers.js";

const v1: JourneyDefinition = {
  id: "m", version: 1, timezone: SH, entry: "new",
  stages: [{ id: "new", sop: [
    { id: "greet", after: "0m", channel: "private_chat", content: "greeting" },
    { id: "case", day: 1, at: "09:00", channel: "private_chat", content: "case-1" },
    { id: "old", day: 2, at: "09:00", channel: "private_chat", content: "old" },
  ] }, { id: "gone", manual: true, sop: [] }],
};
const v2: JourneyDefinition = {
  ...v1, version: 2,
  stages: [{ id: "new", sop: [
    { id: "greet", after: "0m", channel: "private_chat", content: "greeting-v2" },
    { id: "early", after: "1h", channel: "private_chat", content: "new-early" },
    { id: "case", day: 1, at: "09:00", channel: "private_chat", content: "case-2" },
    { id: "later", day: 3, at: "09:00", channel: "private_chat", content: "new-later" },
  ] }, { id: "vip", manual: true, sop: [] }],
};

describe("journey versions", () => {
  const one = defineJourney(v1);
  const two = defineJourney(v2);

  it("migrates a v1 state to v2: steps match by id, nothing already due repeats, new past steps are skipped", () => {
    let state = one.enroll({ id: "c" }, sh("2026-11-23 10:00"));
    state = one.advance(state, { type: "tick", at: sh("2026-11-23 12:00") }).state; // greet sent
    expect(() => two.advance(state, { type: "tick", at: sh("2026-11-24 00:00") })).toThrow(/migrate it with journey.migrate/);
    const migrated = two.migrate(state);
    expect(migrated.state.version).toBe(2);
    expect(migrated.effects).toMatchObject([{ type: "step.skipped", stepId: "early", reason: "migrated" }]);
    const rest = two.simulate(migrated.state, [], { until: sh("2026-12-01 00:00") });
    expect(dueTimes(rest.effects)).toEqual(["case@2026-11-24 09:00", "later@2026-11-26 09:00"]);
    expect(rest.effects.find((e) => e.type === "step.due" && e.stepId === "case")).toMatchObject({ content: "case-2" });
  });

  it("a stage that no longer exists needs a stageMap", () => {
    let state = one.enroll({ id: "c" }, sh("2026-11-23 10:00"));
    state = one.advance(state, { type: "move", to: "gone", at: sh("2026-11-23 11:00") }).state;
    expect(() => two.migrate(state)).toThrow(/stage "gone" does not exist in version 2.*stageMap/);
    const moved = two.migrate(state, { stageMap: { gone: "vip" } });
    expect(moved.state.stage).toBe("vip");
    expect(moved.effects.find((e) => e.type === "stage.entered")).toMatchObject({ reason: "migration", to: "vip" });
  });
});
