import { describe, expect, it } from "vitest";
import {
  type JourneyDefinition,
  type StepDefinition,
  MAX_JOURNEY_VERSION,
  MAX_REPEAT_OCCURRENCES,
  MAX_STEPS_PER_JOURNEY,
  MAX_STEPS_PER_STAGE,
  validateJourney,
} from "@sopline/core";
import { SH } from "./helpers.js";

// The definition limits: each is reported with its path and a message naming the limit.

const step = (id: string, extra: Partial<StepDefinition> = {}): StepDefinition => ({ id, after: "1h", channel: "private_chat", content: "c", ...extra }) as StepDefinition;
const journey = (extra: Partial<JourneyDefinition> = {}, sop: StepDefinition[] = [step("a")]): JourneyDefinition => ({
  id: "j", version: 1, timezone: SH, entry: "new", stages: [{ id: "new", sop }, { id: "quiet" }],
  transitions: [{ from: "new", to: "quiet", silentFor: "30d" }], ...extra,
});
const issues = (def: unknown) => Object.fromEntries(validateJourney(def).map((i) => [i.path, i.message]));

describe("definition limits", () => {
  it("a version beyond a 32-bit integer", () => {
    expect(issues(journey({ version: 2_147_483_648 }))).toEqual({ version: `2147483648 is above the largest version, ${MAX_JOURNEY_VERSION} (versions are stored as 32-bit integers)` });
    expect(issues(journey({ version: MAX_JOURNEY_VERSION }))).toEqual({});
  });

  it("every duration is at most 10 years, whether ms, short or ISO", () => {
    const found = issues(
      journey(
        { expireAfter: "P11Y", transitions: [{ from: "new", to: "quiet", silentFor: "3660d" }] },
        [step("a", { after: 1e308 }), step("b", { after: "99999999999999999999d" }), step("c", { after: "10y" }), step("d", { after: "3653d" })],
      ),
    );
    expect(found).toEqual({
      expireAfter: '"P11Y" is longer than the maximum of 10 years',
      "transitions[0].silentFor": '"3660d" is longer than the maximum of 10 years',
      "stages[0].sop[0].after": "1e+308 ms is longer than the maximum of 10 years",
      "stages[0].sop[1].after": '"99999999999999999999d" is longer than the maximum of 10 years',
    });
  });

  it("a step's day is at most 10 years after entry", () => {
    expect(issues(journey({}, [{ id: "far", day: 1e9, channel: "sms", content: "c" }]))).toEqual({ "stages[0].sop[0].day": "day 1000000000 is past the last day allowed, 3653 (10 years)" });
  });

  it("repeat every, silentFor and a wait's timeout are at least 1 minute", () => {
    const found = issues(
      journey({ transitions: [{ from: "new", to: "quiet", silentFor: 500 }] }, [
        step("a"),
        step("b"),
        step("c", { repeat: { every: "30s", times: 3 } }),
        step("d", { waitFor: { event: "replied", timeout: "PT10S" } }),
        step("e", { repeat: { every: "1m", times: 3 } }),
      ]),
    );
    expect(found).toEqual({
      "transitions[0].silentFor": "500 ms is below the minimum of 1 minute",
      "stages[0].sop[2].repeat.every": '"30s" is below the minimum of 1 minute',
      "stages[0].sop[3].waitFor.timeout": '"PT10S" is below the minimum of 1 minute',
    });
  });

  it("a repeat yields at most 1,000 occurrences; an open-ended one is at least a day apart", () => {
    const found = issues(
      journey({}, [
        step("times", { repeat: { every: "1d", times: 1_001 } }),
        step("window", { repeat: { every: "1m", for: "1y" } }),
        step("hourly", { repeat: { every: "1h" } }),
        step("ok-window", { repeat: { every: "1h", for: "41d" } }),
        step("ok-daily", { repeat: { every: "1d" } }),
        step("ok-times", { repeat: { every: "1m", times: MAX_REPEAT_OCCURRENCES, for: "10y" } }),
      ]),
    );
    expect(found).toEqual({
      "stages[0].sop[0].repeat.times": "1001 occurrences is above the maximum of 1000",
      "stages[0].sop[1].repeat.for": '"1y" every "1m" yields about 525,961 occurrences, above the maximum of 1000 (repeat less often or for less long)',
      "stages[0].sop[2].repeat.every": '"1h" without times or for repeats for as long as the stage lasts: it must be at least 1 day apart (or add times, at most 1000)',
    });
  });

  it("at most 200 steps per stage and 1,000 per journey", () => {
    const sop = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => step(`${prefix}${i}`));
    expect(issues(journey({}, sop(MAX_STEPS_PER_STAGE + 1, "s")))).toEqual({ "stages[0].sop": "201 steps is above the maximum of 200 per stage" });
    expect(issues(journey({}, sop(MAX_STEPS_PER_STAGE, "s")))).toEqual({});
    const stages = Array.from({ length: 6 }, (_, i) => ({ id: `st${i}`, manual: true, sop: sop(MAX_STEPS_PER_STAGE, "s") }));
    expect(issues({ id: "j", version: 1, timezone: SH, entry: "st0", stages })).toEqual({ stages: `1200 steps in all is above the maximum of ${MAX_STEPS_PER_JOURNEY} per journey` });
  });

  it("at most 100 stages and 500 transitions", () => {
    const stages = Array.from({ length: 101 }, (_, i) => ({ id: `st${i}`, manual: true }));
    const transitions = Array.from({ length: 501 }, (_, i) => ({ from: "st0", to: "st1", on: `e${i}` }));
    expect(issues({ id: "j", version: 1, timezone: SH, entry: "st0", stages, transitions })).toEqual({
      stages: "101 stages is above the maximum of 100",
      transitions: "501 transitions is above the maximum of 500",
    });
  });

  it("checks tag-transition loops in time linear in the transitions (listing every path was exponential)", () => {
    // Every stage moves to every other one on a tag: 40! paths, one pass of a depth-first search.
    const stages = Array.from({ length: 40 }, (_, i) => ({ id: `st${i}` }));
    const transitions = stages.map((s, i) => ({ from: "*", to: s.id, tag: `t${i}` }));
    const loops = validateJourney({ id: "j", version: 1, timezone: SH, entry: "st0", stages, transitions }).filter((i) => /could fire forever/.test(i.message));
    expect(loops.length).toBeGreaterThan(0);
    expect(loops.length).toBeLessThanOrEqual(transitions.length * stages.length);
  });
});
