import { describe, expect, it } from "vitest";
import { type JourneyDefinition, defineJourney, validateJourney } from "@sopline/core";
import { SH, dueTimes, sh, skipped } from "./helpers.js";

// Dated campaign steps, holiday names checked against the calendar given, and send windows
// gated by the official working-day calendar (调休).

const campaign: JourneyDefinition = {
  id: "double-11", version: 1, timezone: SH, entry: "campaign",
  frequencyCap: { max: 1, per: "1d" },
  stages: [{ id: "campaign", sop: [
    { id: "warmup", date: "2026-11-01", at: "10:00", channel: "group_chat", content: "d11-warmup" },
    { id: "webinar", date: "2026-11-10", at: "20:00", channel: "private_chat", content: "webinar-link", mode: "task" },
    { id: "same-day", date: "2026-11-10", at: "21:00", channel: "group_chat", content: "d11-reminder" },
    { id: "go", date: "2026-11-11", at: "00:00", channel: "group_chat", content: "d11-open" },
  ] }],
};

describe("dated campaign steps", () => {
  const journey = defineJourney(campaign);

  it("fires each date once at the same instant for every customer, in the journey's zone", () => {
    const shanghai = journey.simulate({ id: "a" }, [], { start: sh("2026-10-20 12:00"), until: sh("2026-12-01 00:00") });
    const london = journey.simulate({ id: "b", timezone: "Europe/London" }, [], { start: sh("2026-10-20 12:00"), until: sh("2026-12-01 00:00") });
    expect(dueTimes(shanghai.effects)).toEqual([
      "warmup#2026-11-01@2026-11-01 10:00",
      "webinar#2026-11-10@2026-11-10 20:00",
      "same-day#2026-11-10@2026-11-10 21:00",
      // the frequency cap (1 auto touch a rolling day; the task does not count) holds like for any other step
      "go#2026-11-11@2026-11-11 21:00",
    ]);
    expect(dueTimes(london.effects, SH)).toEqual(dueTimes(shanghai.effects, SH));
  });

  it("is not sent to a customer who enters after its date: recorded skipped (expired) at entry, not silence", () => {
    const late = journey.simulate({ id: "late" }, [], { start: sh("2026-11-10 22:00"), until: sh("2026-12-01 00:00") });
    expect(dueTimes(late.effects)).toEqual(["go#2026-11-11@2026-11-11 00:00"]);
    const past = late.effects.filter((e) => e.type === "step.skipped");
    expect(past.map((e) => e.type === "step.skipped" && [e.key, e.reason, e.dueAt, e.detail])).toEqual(
      [["warmup", "2026-11-01", "2026-11-01T02:00:00.000Z"], ["webinar", "2026-11-10", "2026-11-10T12:00:00.000Z"], ["same-day", "2026-11-10", "2026-11-10T13:00:00.000Z"]].map(([id, date, at]) => [
        `double-11:late:campaign:1:${id}#${date}`, "expired", at, `dated ${date}: passed before the customer entered the stage`,
      ]),
    );
    // once: a later tick records nothing more
    expect(journey.advance(late.state, { type: "tick", at: sh("2026-12-02 00:00") }).effects).toEqual([]);
  });

  it("rejects an invalid date and a repeat on a dated step, with the step's path", () => {
    const bad = structuredClone(campaign);
    bad.stages[0]!.sop![1]!.date = "2026-02-30";
    bad.stages[0]!.sop![2]!.repeat = { every: "1d", times: 2 };
    const issues = validateJourney(bad);
    expect(issues).toContainEqual({ path: "stages[0].sop[1].date", message: '"2026-02-30" is not a date "YYYY-MM-DD"' });
    expect(issues).toContainEqual({ path: "stages[0].sop[2].repeat", message: "a dated step happens once, on its date; repeat goes with after / day" });
    const both = structuredClone(campaign);
    both.stages[0]!.sop![0]!.day = 1;
    expect(validateJourney(both)).toContainEqual({ path: "stages[0].sop[0]", message: "a step needs exactly one timing of after / day / birthday / holiday / date, got day + date" });
  });
});

describe("holiday names", () => {
  const def: JourneyDefinition = {
    id: "care", version: 1, timezone: SH, entry: "m",
    stages: [{ id: "m", sop: [{ id: "greet", holiday: "mid-autum", channel: "group_chat", content: "card" }] }],
  };

  it("an unknown holiday names the step path, the calendar and the known names", () => {
    expect(validateJourney(def, { holidays: { "mid-autumn": ["2027-09-15"], "spring-festival": [] }, calendarName: "the workspace's holiday calendar" })).toEqual([
      { path: "stages[0].sop[0].holiday", message: 'holiday "mid-autum" is not in the workspace\'s holiday calendar (known: mid-autumn, spring-festival)' },
    ]);
    // an inherited property is not a holiday
    expect(validateJourney({ ...def, stages: [{ id: "m", sop: [{ id: "g", holiday: "toString", channel: "group_chat", content: "c" }] }] }, { holidays: {} })).toHaveLength(1);
  });
});

describe("workdays / offdays windows", () => {
  // 2026: Spring Festival days off 02-15 … 02-23; Saturday 02-14 and 02-28 are worked (调休).
  const workdays = { on: ["2026-02-14", "2026-02-28"], off: ["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23"] };
  const def: JourneyDefinition = {
    id: "b2b", version: 1, timezone: SH, entry: "s",
    stages: [{ id: "s", window: { from: "09:00", to: "18:00", days: ["workdays"] }, sop: [
      { id: "d1", day: 1, at: "10:00", channel: "private_chat", content: "case-1", mode: "task" },
      { id: "d3", day: 3, at: "10:00", channel: "private_chat", content: "case-2", mode: "task" },
    ] }],
  };

  it("follows the official calendar: an adjusted Saturday is open, the Spring Festival days off are not", () => {
    const journey = defineJourney(def, { workdays });
    const sim = journey.simulate({ id: "c" }, [], { start: sh("2026-02-13 12:00"), until: sh("2026-03-10 00:00") });
    // d1 on Saturday 02-14 (worked); d3 on Monday 02-16 (off) waits until Tuesday 02-24
    expect(dueTimes(sim.effects)).toEqual(["d1@2026-02-14 10:00", "d3@2026-02-24 09:00"]);
  });

  it("without a calendar workdays are Monday to Friday", () => {
    const journey = defineJourney(def);
    const sim = journey.simulate({ id: "c" }, [], { start: sh("2026-02-13 12:00"), until: sh("2026-03-10 00:00") });
    expect(dueTimes(sim.effects)).toEqual(["d1@2026-02-16 09:00", "d3@2026-02-16 10:00"]);
  });

  it("offdays windows open only on days off", () => {
    const journey = defineJourney({ ...def, stages: [{ ...def.stages[0]!, window: { from: "09:00", to: "18:00", days: ["offdays"] } }] }, { workdays });
    const sim = journey.simulate({ id: "c" }, [], { start: sh("2026-02-13 12:00"), until: sh("2026-03-10 00:00") });
    expect(dueTimes(sim.effects)).toEqual(["d1@2026-02-15 09:00", "d3@2026-02-16 10:00"]);
  });
});

describe("calendar lint", () => {
  it("warns about a dated step already past and a holiday with no date to come, as of `at`", () => {
    const journey = defineJourney(
      { ...campaign, stages: [{ id: "campaign", sop: [...campaign.stages[0]!.sop!, { id: "anniv", holiday: "store-anniversary", channel: "group_chat", content: "invite" }] }] },
      { holidays: { "store-anniversary": ["2025-12-08"] } },
    );
    const calendarCodes = new Set(["past-date", "no-holiday-dates"]);
    const codes = (at: string) => journey.lint(undefined, { at: sh(at) }).filter((i) => calendarCodes.has(i.code)).map((i) => `${i.code} ${i.path}`);
    expect(codes("2026-11-10 20:30")).toEqual([
      "past-date stages[0].sop[0].date",
      "past-date stages[0].sop[1].date",
      "no-holiday-dates stages[0].sop[4].holiday",
    ]);
    expect(journey.lint(undefined, { at: sh("2026-11-10 20:30") }).find((i) => i.code === "past-date")!.message).toBe('step "warmup" is dated 2026-11-01 10:00 (Asia/Shanghai), already past: no customer will receive it');
    expect(journey.lint().filter((i) => calendarCodes.has(i.code))).toEqual([]);
  });
});
