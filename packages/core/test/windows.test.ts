import { describe, expect, it } from "vitest";
import { defineJourney } from "@sopline/core";
import { SH, dueTimes, oneStage, sh, simulate } from "./helpers.js";

describe("send windows and quiet hours", () => {
  it("moves a step due outside its window to the next opening", () => {
    const journey = oneStage(
      [
        { id: "greet", after: "0m", channel: "private_chat", content: "a" },
        { id: "late", after: "12h", channel: "private_chat", content: "b" },
      ],
      { window: { from: "09:00", to: "21:00" } },
    );
    const sim = simulate(journey, { id: "c" }, sh("2026-11-23 22:30"), sh("2026-12-01 00:00"));
    expect(dueTimes(sim.effects)).toEqual(["greet@2026-11-24 09:00", "late@2026-11-24 10:30"]);
  });

  it("honours weekdays: weekend-morning content waits for Saturday 07:00", () => {
    const journey = oneStage([
      { id: "weekend", after: "0m", channel: "moments", content: "a", window: { from: "07:00", to: "09:00", days: ["weekend"] } },
      { id: "office", after: "0m", channel: "private_chat", content: "b", window: { from: "11:00", to: "12:00", days: ["weekdays"] } },
    ]);
    // 2026-11-25 is a Wednesday.
    const sim = simulate(journey, { id: "c" }, sh("2026-11-25 13:00"), sh("2026-12-05 00:00"));
    expect(dueTimes(sim.effects)).toEqual(["office@2026-11-26 11:00", "weekend@2026-11-28 07:00"]);
  });

  it("supports windows that run past midnight (bosses read at night)", () => {
    const journey = oneStage([{ id: "a", after: "0m", channel: "private_chat", content: "a", window: { from: "22:00", to: "01:00" } }]);
    expect(dueTimes(simulate(journey, { id: "c" }, sh("2026-11-23 23:30"), sh("2026-11-30 00:00")).effects)).toEqual(["a@2026-11-23 23:30"]);
    expect(dueTimes(simulate(journey, { id: "c" }, sh("2026-11-24 00:30"), sh("2026-11-30 00:00")).effects)).toEqual(["a@2026-11-24 00:30"]);
    expect(dueTimes(simulate(journey, { id: "c" }, sh("2026-11-24 01:00"), sh("2026-11-30 00:00")).effects)).toEqual(["a@2026-11-24 22:00"]);
  });

  it("applies quiet hours, the most specific level winning", () => {
    const journey = defineJourney({
      id: "j", version: 1, timezone: SH, entry: "s",
      quietHours: { from: "22:00", to: "08:00" },
      stages: [
        {
          id: "s",
          sop: [
            { id: "quietish", after: "0m", channel: "private_chat", content: "a" },
            { id: "own", after: "0m", channel: "sms", content: "b", quietHours: { from: "23:00", to: "07:00" } },
          ],
        },
      ],
    });
    const sim = simulate(journey, { id: "c" }, sh("2026-11-23 22:30"), sh("2026-11-30 00:00"));
    expect(dueTimes(sim.effects)).toEqual(["own@2026-11-23 22:30", "quietish@2026-11-24 08:00"]);
  });

  it("picks per-audience windows by a customer attribute", () => {
    const journey = oneStage([{ id: "a", day: 1, at: "09:00", channel: "private_chat", content: "a" }], {
      window: { byAttribute: "role", cases: { boss: { from: "20:00", to: "23:00" } }, default: { from: "09:00", to: "18:00" } },
    });
    const boss = simulate(journey, { id: "b", attributes: { role: "boss" } }, sh("2026-11-23 10:00"), sh("2026-11-30 00:00"));
    const staff = simulate(journey, { id: "e", attributes: { role: "employee" } }, sh("2026-11-23 10:00"), sh("2026-11-30 00:00"));
    expect(dueTimes(boss.effects)).toEqual(["a@2026-11-24 20:00"]);
    expect(dueTimes(staff.effects)).toEqual(["a@2026-11-24 09:00"]);
    expect(boss.state.attrs).toEqual({ role: "boss" });
  });

  it("opens windows on the customer's wall clock across a DST change", () => {
    const journey = oneStage([{ id: "a", after: "0m", channel: "private_chat", content: "a" }], { window: { from: "09:00", to: "10:00" } });
    const ny = "America/New_York";
    // 2026-11-01: New York falls back at 02:00; the window still opens at 09:00 local.
    const sim = simulate(journey, { id: "c", timezone: ny }, sh("2026-10-31 12:00", ny), sh("2026-11-05 00:00", ny));
    expect(dueTimes(sim.effects, ny)).toEqual(["a@2026-11-01 09:00"]);
  });
});

describe("frequency cap", () => {
  it("defers excess automatic touches instead of dropping them; task touches are not capped by default", () => {
    const journey = oneStage(
      [
        { id: "a", after: "0m", channel: "private_chat", content: "a" },
        { id: "b", after: "1h", channel: "private_chat", content: "b" },
        { id: "t", after: "2h", channel: "call", content: "call", mode: "task" },
        { id: "c", after: "3h", channel: "private_chat", content: "c" },
      ],
      { frequencyCap: { max: 1, per: "1d" }, window: { from: "09:00", to: "21:00" } },
    );
    const sim = simulate(journey, { id: "c" }, sh("2026-11-23 10:00"), sh("2026-12-01 00:00"));
    expect(dueTimes(sim.effects)).toEqual(["a@2026-11-23 10:00", "t@2026-11-23 12:00", "b@2026-11-24 10:00", "c@2026-11-25 10:00"]);
  });

  it("a deferred touch that lands outside the window moves to the next opening", () => {
    const journey = oneStage(
      [
        { id: "a", after: "0m", channel: "private_chat", content: "a" },
        { id: "b", after: "1m", channel: "private_chat", content: "b" },
      ],
      { frequencyCap: { max: 1, per: "1d" }, window: { from: "09:00", to: "21:00", days: ["weekdays"] } },
    );
    // Friday 20:30: b is free again Saturday 20:30, outside the weekday window, so Monday 09:00.
    const sim = simulate(journey, { id: "c" }, sh("2026-11-27 20:30"), sh("2026-12-05 00:00"));
    expect(dueTimes(sim.effects)).toEqual(["a@2026-11-27 20:30", "b@2026-11-30 09:00"]);
  });
});
