import { describe, expect, it } from "vitest";
import { dueTimes, oneStage, sh, simulate } from "./helpers.js";

describe("relative schedules", () => {
  it("times `after` steps from each customer's own stage entry", () => {
    const journey = oneStage([
      { id: "greet", after: "0m", channel: "private_chat", content: "hello" },
      { id: "half", after: "30m", channel: "private_chat", content: "a" },
      { id: "two", after: "2h", channel: "private_chat", content: "b" },
      { id: "three", after: "3d", channel: "private_chat", content: "c" },
      { id: "week", after: "1w", channel: "private_chat", content: "d" },
      { id: "iso", after: "PT2H30M", channel: "private_chat", content: "e" },
      { id: "isoDays", after: "P2D", channel: "private_chat", content: "f" },
    ]);
    const sim = simulate(journey, { id: "c1" }, sh("2026-11-23 10:15"), sh("2026-12-31 00:00"));
    expect(dueTimes(sim.effects)).toEqual([
      "greet@2026-11-23 10:15",
      "half@2026-11-23 10:45",
      "two@2026-11-23 12:15",
      "iso@2026-11-23 12:45",
      "isoDays@2026-11-25 10:15",
      "three@2026-11-26 10:15",
      "week@2026-11-30 10:15",
    ]);
  });

  it("puts `day N at HH:mm` on the N-th calendar day after entry (day 0 = entry day) in the customer's zone", () => {
    const journey = oneStage([
      { id: "d0", day: 0, at: "20:00", channel: "private_chat", content: "a" },
      { id: "d1", day: 1, at: "09:00", channel: "private_chat", content: "b" },
      { id: "d3", day: 3, at: "20:00", channel: "private_chat", content: "c" },
    ]);
    const late = simulate(journey, { id: "late" }, sh("2026-11-23 23:30"), sh("2026-12-31 00:00"));
    // Entered at 23:30: day 0 20:00 has passed, so it is due at entry rather than lost.
    expect(dueTimes(late.effects)).toEqual(["d0@2026-11-23 23:30", "d1@2026-11-24 09:00", "d3@2026-11-26 20:00"]);
    const tokyo = simulate(journey, { id: "tokyo", timezone: "Asia/Tokyo" }, sh("2026-11-23 23:30"), sh("2026-12-31 00:00"));
    // 23:30 in Shanghai is already 00:30 the next day in Tokyo: that is the customer's day 0.
    expect(dueTimes(tokyo.effects, "Asia/Tokyo")).toEqual(["d0@2026-11-24 20:00", "d1@2026-11-25 09:00", "d3@2026-11-27 20:00"]);
  });

  it("keeps wall-clock times across DST changes, and `24h` stays exact elapsed time", () => {
    const journey = oneStage([
      { id: "morning", day: 1, at: "09:00", channel: "sms", content: "a" },
      { id: "nextDay", after: "1d", channel: "sms", content: "b" },
      { id: "exact", after: "24h", channel: "sms", content: "c" },
    ]);
    // New York springs forward on 2026-03-08 at 02:00.
    const ny = "America/New_York";
    const sim = simulate(journey, { id: "ny", timezone: ny }, sh("2026-03-07 10:00", ny), sh("2026-03-20 00:00", ny));
    expect(dueTimes(sim.effects, ny)).toEqual(["morning@2026-03-08 09:00", "nextDay@2026-03-08 10:00", "exact@2026-03-08 11:00"]);
  });

  it("repeats weekly for a month and monthly for six months", () => {
    const journey = oneStage([
      { id: "weekly", day: 7, at: "10:00", repeat: { every: "1w", for: "3w" }, channel: "private_chat", content: "case" },
      { id: "monthly", day: 30, at: "10:00", repeat: { every: "1mo", times: 6 }, channel: "official_account", content: "digest" },
    ]);
    const sim = simulate(journey, { id: "c" }, sh("2026-01-01 08:00"), sh("2027-01-01 00:00"));
    expect(dueTimes(sim.effects)).toEqual([
      "weekly#1@2026-01-08 10:00",
      "weekly#2@2026-01-15 10:00",
      "weekly#3@2026-01-22 10:00",
      "weekly#4@2026-01-29 10:00",
      "monthly#1@2026-01-31 10:00",
      "monthly#2@2026-02-28 10:00",
      "monthly#3@2026-03-31 10:00",
      "monthly#4@2026-04-30 10:00",
      "monthly#5@2026-05-31 10:00",
      "monthly#6@2026-06-30 10:00",
    ]);
    const keys = sim.effects.filter((e) => e.type === "step.due").map((e) => (e as { key: string }).key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys[0]).toBe("j:c:s:1:weekly#1");
  });

  it("overdue steps fire with their original due time when the tick is late", () => {
    const journey = oneStage([
      { id: "a", after: "1h", channel: "private_chat", content: "a" },
      { id: "b", after: "5h", channel: "private_chat", content: "b" },
    ]);
    let state = journey.enroll({ id: "c" }, sh("2026-11-23 10:00"));
    const { effects } = journey.advance(state, { type: "tick", at: sh("2026-11-24 10:00") });
    expect(dueTimes(effects)).toEqual(["a@2026-11-23 11:00", "b@2026-11-23 15:00"]);
    state = journey.advance(state, { type: "tick", at: sh("2026-11-24 10:00") }).state;
    expect(journey.nextWakeAt(state)).toBeNull();
  });

  it("nextWakeAt says exactly when the next step is due, and an early tick changes nothing", () => {
    const journey = oneStage([{ id: "a", day: 1, at: "09:00", channel: "private_chat", content: "a" }]);
    let state = journey.enroll({ id: "c" }, sh("2026-11-23 10:00"));
    state = journey.advance(state, { type: "tick", at: sh("2026-11-23 10:00") }).state;
    expect(journey.nextWakeAt(state)?.toISOString()).toBe(new Date(sh("2026-11-24 09:00")).toISOString());
    const early = journey.advance(state, { type: "tick", at: sh("2026-11-24 08:59") });
    expect(early.effects).toEqual([]);
    expect(early.state).toBe(state);
    const onTime = journey.advance(state, { type: "tick", at: Date.parse(sh("2026-11-24 09:00")) });
    expect(dueTimes(onTime.effects)).toEqual(["a@2026-11-24 09:00"]);
  });

  it("accepts every instant as a Date, an ISO-8601 string or epoch ms, and emits ISO-8601 UTC", () => {
    const journey = oneStage([{ id: "a", after: "1h", channel: "private_chat", content: "a" }]);
    const at = Date.parse(sh("2026-11-23 10:00"));
    const fromDate = journey.advance(journey.enroll({ id: "c" }, new Date(at)), { type: "tick", at: new Date(at + 3_600_000) });
    const fromIso = journey.advance(journey.enroll({ id: "c" }, new Date(at).toISOString()), { type: "tick", at: new Date(at + 3_600_000).toISOString() });
    const fromMs = journey.advance(journey.enroll({ id: "c" }, at), { type: "tick", at: at + 3_600_000 });
    expect(fromIso).toEqual(fromDate);
    expect(fromMs).toEqual(fromDate);
    expect(fromDate.effects.find((e) => e.type === "step.due")).toMatchObject({ dueAt: "2026-11-23T03:00:00.000Z" });
    expect(() => journey.enroll({ id: "c" }, "yesterday")).toThrow(/enroll at: expected a valid instant, got "yesterday"/);
    expect(() => journey.advance(fromMs.state, { type: "tick", at: Number.NaN })).toThrow(/input.at \(tick\)/);
  });
});
