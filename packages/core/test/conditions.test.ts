import { describe, expect, it } from "vitest";
import type { JourneyInput } from "@sopline/core";
import { dueTimes, local, oneStage, sh, simulate, skipped } from "./helpers.js";

const reply = (at: string, id = `r-${at}`): JourneyInput => ({ type: "event", id, name: "message.replied", at });

describe("conditions: unless", () => {
  const journey = oneStage([
    { id: "greet", after: "0m", channel: "private_chat", content: "greeting" },
    { id: "regreet", after: "2h", unless: "message.replied", channel: "private_chat", content: "greeting-2" },
  ]);

  it("sends the second greeting 2 hours after friend-add only to customers who did not reply", () => {
    const silent = simulate(journey, { id: "silent" }, sh("2026-11-23 10:00"), sh("2026-11-24 00:00"));
    expect(dueTimes(silent.effects)).toEqual(["greet@2026-11-23 10:00", "regreet@2026-11-23 12:00"]);

    const replied = simulate(journey, { id: "replied" }, sh("2026-11-23 10:00"), sh("2026-11-24 00:00"), [reply(sh("2026-11-23 11:00"))]);
    expect(dueTimes(replied.effects)).toEqual(["greet@2026-11-23 10:00"]);
    expect(skipped(replied.effects)).toMatchObject([{ stepId: "regreet", reason: "condition", detail: "message.replied happened" }]);
  });

  it("a reply after the second greeting changes nothing already sent", () => {
    const sim = simulate(journey, { id: "c" }, sh("2026-11-23 10:00"), sh("2026-11-24 00:00"), [reply(sh("2026-11-23 13:00"))]);
    expect(dueTimes(sim.effects)).toEqual(["greet@2026-11-23 10:00", "regreet@2026-11-23 12:00"]);
  });
});

describe("staleness: expireAfter", () => {
  const journey = oneStage(
    [
      { id: "greet", after: "0m", channel: "private_chat", content: "greeting" },
      { id: "case", after: "1d", channel: "private_chat", content: "case", expireAfter: "3d" },
    ],
    { expireAfter: "6h" },
  );

  it("skips steps whose tick arrives later than dueAt + expireAfter, keeps the others with their original dueAt", () => {
    const state = journey.enroll({ id: "c" }, sh("2026-11-23 10:00"));
    const { effects } = journey.advance(state, { type: "tick", at: sh("2026-11-25 10:00") });
    expect(skipped(effects)).toMatchObject([{ stepId: "greet", reason: "expired", dueAt: new Date(sh("2026-11-23 10:00")).toISOString() }]);
    expect(dueTimes(effects)).toEqual(["case@2026-11-24 10:00"]);
  });

  it("a punctual tick is never expired", () => {
    const sim = simulate(journey, { id: "c" }, sh("2026-11-23 10:00"), sh("2026-12-01 00:00"));
    expect(skipped(sim.effects)).toEqual([]);
    expect(dueTimes(sim.effects)).toEqual(["greet@2026-11-23 10:00", "case@2026-11-24 10:00"]);
  });
});

describe("wait for the customer", () => {
  const journey = oneStage([
    { id: "bait", after: "0m", channel: "private_chat", content: "whitepaper", waitFor: { event: "trial.started", timeout: "2d", alternatives: [{ content: "case-study" }, { content: "discount", channel: "sms" }] } },
    { id: "onboard", after: "1h", channel: "private_chat", content: "onboarding" },
    { id: "tip", day: 1, at: "09:00", channel: "private_chat", content: "tip" },
  ]);

  it("tries the alternatives one by one until the customer responds, then continues relative to the response", () => {
    const trial: JourneyInput = { type: "event", id: "t1", name: "trial.started", at: sh("2026-11-26 15:00") };
    const sim = simulate(journey, { id: "c" }, sh("2026-11-23 10:00"), sh("2026-12-10 00:00"), [trial]);
    expect(dueTimes(sim.effects)).toEqual([
      "bait@2026-11-23 10:00",
      "bait~1@2026-11-25 10:00",
      "onboard@2026-11-26 16:00",
      "tip@2026-11-27 09:00",
    ]);
    const ended = sim.effects.find((e) => e.type === "wait.ended");
    expect(ended).toMatchObject({ by: "event", event: "trial.started", stepId: "bait" });
    const alt = sim.effects.find((e) => e.type === "step.due" && e.alternative === 1);
    expect(alt).toMatchObject({ content: "case-study", channel: "private_chat", key: "j:c:s:1:bait~1" });
  });

  it("after the last alternative times out, continues with the rest of the SOP", () => {
    const sim = simulate(journey, { id: "c" }, sh("2026-11-23 10:00"), sh("2026-12-10 00:00"));
    expect(dueTimes(sim.effects)).toEqual([
      "bait@2026-11-23 10:00",
      "bait~1@2026-11-25 10:00",
      "bait~2@2026-11-27 10:00",
      "onboard@2026-11-29 11:00",
      "tip@2026-11-30 09:00",
    ]);
    expect(sim.effects.find((e) => e.type === "step.due" && e.alternative === 2)).toMatchObject({ channel: "sms", content: "discount" });
    expect(sim.effects.find((e) => e.type === "wait.ended")).toMatchObject({ by: "timeout" });
  });

  it("onTimeout: stay keeps waiting for the customer", () => {
    const staying = oneStage([
      { id: "bait", after: "0m", channel: "private_chat", content: "a", waitFor: { event: "replied", timeout: "1d", onTimeout: "stay" } },
      { id: "later", after: "0m", channel: "private_chat", content: "b" },
    ]);
    const sim = simulate(staying, { id: "c" }, sh("2026-11-23 10:00"), sh("2027-01-01 00:00"));
    expect(dueTimes(sim.effects)).toEqual(["bait@2026-11-23 10:00"]);
    expect(staying.nextWakeAt(sim.state)).toBeNull();
    const answered = staying.advance(sim.state, { type: "event", id: "e", name: "replied", at: sh("2027-01-02 10:00") });
    const after = staying.simulate(answered.state, [], { until: sh("2027-01-03 00:00") });
    expect(dueTimes([...answered.effects, ...after.effects])).toEqual(["later@2027-01-02 10:00"]);
    expect(local(new Date(sh("2027-01-02 10:00")).toISOString())).toBe("2027-01-02 10:00");
  });
});
