import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Effect, type Journey, type JourneyInput, type JourneyState, type StepDefinition, Journey as JourneyClass, TICK_BUDGET, defineJourney } from "@sopline/core";
import { type Case, DAY_MS, MINUTE_MS, ZONES, caseArb, customerArb, expireArb, startArb, windowArb } from "./arbitraries.js";

// The per-tick budget and the simulation: a budget only spreads work over more ticks (the union of
// effects equals the unbounded run's, in order, and the final states agree), and simulate() — one
// run from wake-up to wake-up — equals ticking at every wake-up.

const RUNS = Number(process.env.FC_RUNS ?? 1);
const params = <T,>(numRuns: number): fc.Parameters<T> => ({
  numRuns: Math.max(1, Math.round(numRuns * RUNS)),
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
});

/** The case's inputs with a tick every `every` minutes between them, and one at the end. */
function inputsWithTicks(c: Case, every: number): JourneyInput[] {
  const out: JourneyInput[] = [];
  let t = Date.parse(c.start);
  const end = Date.parse(c.end);
  for (const input of c.inputs) {
    for (; t <= Date.parse(input.at); t += every * MINUTE_MS) out.push({ type: "tick", at: t });
    out.push(input);
  }
  for (; t <= end; t += every * MINUTE_MS) out.push({ type: "tick", at: t });
  out.push({ type: "tick", at: end });
  return out;
}

/**
 * Plays inputs with a tick budget. A tick that stops early leaves its wake-up at or before its time;
 * the scheduler then ticks again (here at once, at the same time) until the enrollment caught up.
 */
function play(journey: Journey, state: JourneyState, inputs: JourneyInput[], tickBudget: number): { effects: Effect[]; state: JourneyState; ticks: number } {
  const effects: Effect[] = [];
  let ticks = 0;
  for (const input of inputs) {
    let out = journey.advance(state, input, { tickBudget });
    ticks++;
    effects.push(...out.effects);
    while (input.type === "tick" && out.state.wake !== null && out.state.wake <= Number(input.at)) {
      out = journey.advance(out.state, input, { tickBudget });
      ticks++;
      effects.push(...out.effects);
    }
    state = out.state;
  }
  return { effects, state, ticks };
}

/** Ticks exactly at every wake-up up to each input and to the end, as a punctual scheduler would. */
function playPunctually(journey: Journey, c: Case): Effect[] {
  let state = journey.enroll(c.customer, c.start);
  const effects: Effect[] = [];
  const until = (t: number) => {
    while (state.wake !== null && state.wake <= t) {
      const out = journey.advance(state, { type: "tick", at: state.wake }, { tickBudget: Infinity });
      effects.push(...out.effects);
      state = out.state;
    }
  };
  for (const input of c.inputs) {
    until(Date.parse(input.at));
    const out = journey.advance(state, input);
    effects.push(...out.effects);
    state = out.state;
  }
  until(Date.parse(c.end));
  return effects;
}

/** A long single stage (40–80 steps, so past the 31-step bit set) with windows, expiry and maybe a cap. */
const longStageArb = fc
  .record({
    timezone: fc.constantFrom(...ZONES),
    steps: fc.array(
      fc.record({
        timing: fc.oneof(
          fc.record({ after: fc.constantFrom("0m", "15m", "2h", "26h", "3d", "1d12h") }),
          fc.record({ day: fc.integer({ min: 0, max: 20 }), at: fc.constantFrom("07:00", "09:30", "20:00", "23:45") }),
        ),
        window: fc.option(windowArb, { nil: undefined, freq: 3 }),
        expireAfter: fc.option(expireArb, { nil: undefined, freq: 3 }),
        repeat: fc.option(fc.record({ every: fc.constantFrom("1h", "1d", "1w"), times: fc.integer({ min: 1, max: 30 }) }), { nil: undefined, freq: 6 }),
      }),
      { minLength: 40, maxLength: 80 },
    ),
    cap: fc.option(fc.constant({ max: 3, per: "1d" }), { nil: undefined, freq: 3 }),
    window: fc.option(windowArb, { nil: undefined, freq: 2 }),
  })
  .map(({ timezone, steps, cap, window }) =>
    defineJourney({
      id: "long",
      version: 1,
      timezone,
      entry: "s",
      ...(cap ? { frequencyCap: cap } : {}),
      ...(window ? { window } : {}),
      stages: [
        {
          id: "s",
          sop: steps.map((s, i): StepDefinition => ({
            id: `st${i}`,
            channel: "private_chat",
            content: `c${i}`,
            ...s.timing,
            ...(s.window ? { window: s.window } : {}),
            ...(s.expireAfter ? { expireAfter: s.expireAfter } : {}),
            ...(s.repeat ? { repeat: s.repeat } : {}),
          })),
        },
      ],
    }),
  );

describe("the per-tick budget", () => {
  it("spreads a tick's work over several ticks: the union of effects and the final state equal the unbounded run", () => {
    fc.assert(
      fc.property(caseArb(), fc.integer({ min: 1, max: 5 }), fc.constantFrom(60, 24 * 60, 7 * 24 * 60), (c, budget, every) => {
        const journey = defineJourney(c.definition);
        const inputs = inputsWithTicks(c, every);
        const unbounded = play(journey, journey.enroll(c.customer, c.start), inputs, Infinity);
        const bounded = play(journey, journey.enroll(c.customer, c.start), inputs, budget);
        expect(bounded.effects).toEqual(unbounded.effects);
        expect(bounded.state).toEqual(unbounded.state);
      }),
      params(30),
    );
  });

  it("holds on long stages too, and a tick never emits more than its budget", () => {
    fc.assert(
      fc.property(longStageArb, customerArb, startArb, fc.integer({ min: 1, max: 7 }), (journey, customer, start, budget) => {
        const at = start + 40 * DAY_MS;
        const unbounded = play(journey, journey.enroll(customer, start), [{ type: "tick", at }], Infinity);
        let state = journey.enroll(customer, start);
        const effects: Effect[] = [];
        for (let ticks = 0; ; ticks++) {
          const out = journey.advance(state, { type: "tick", at }, { tickBudget: budget });
          // Each happening emits one step effect, or a stage entry (with its tags): never many more.
          expect(out.effects.filter((e) => e.type === "step.due" || e.type === "step.skipped").length).toBeLessThanOrEqual(budget);
          effects.push(...out.effects);
          state = out.state;
          if (state.wake === null || state.wake > at) break;
          expect(ticks).toBeLessThan(10_000);
        }
        expect(effects).toEqual(unbounded.effects);
        expect(state).toEqual(unbounded.state);
      }),
      params(20),
    );
  });

  it("the default budget holds a backlog of 1-minute occurrences to TICK_BUDGET per tick, and the next ticks continue in order", () => {
    // A definition stored before the limits (a 1-minute repeat for a year): compiled without validation, as the gateway loads stored ones.
    const journey = new JourneyClass({
      id: "legacy", version: 1, timezone: "Asia/Shanghai", entry: "s",
      stages: [{ id: "s", sop: [{ id: "ping", after: "0m", repeat: { every: "1m", for: "1y" }, channel: "sms", content: "ping" }] }],
    });
    const start = Date.parse("2025-12-01T00:00:00Z");
    const now = start + 365 * DAY_MS;
    let state = journey.enroll({ id: "c" }, start);
    const keys: string[] = [];
    for (let tick = 0; tick < 3; tick++) {
      const out = journey.advance(state, { type: "tick", at: now });
      const steps = out.effects.filter((e) => e.type === "step.due" || e.type === "step.skipped");
      expect(steps.length).toBe(tick === 0 ? TICK_BUDGET - 1 : TICK_BUDGET); // the first tick also enters the stage
      keys.push(...steps.map((e) => ("key" in e ? e.key : "")));
      state = out.state;
      expect(state.wake).toBeLessThanOrEqual(now);
    }
    expect(keys).toEqual(Array.from({ length: 3 * TICK_BUDGET - 1 }, (_, i) => `legacy:c:s:1:ping#${i + 1}`));
  });
});

describe("simulate()", () => {
  it("equals ticking at every wake-up, on generated journeys with events", () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const journey = defineJourney(c.definition);
        const sim = journey.simulate(c.customer, c.inputs, { start: c.start, until: c.end });
        expect(sim.truncated).toBe(false);
        expect(sim.effects).toEqual(playPunctually(journey, c));
      }),
      params(30),
    );
  });

  it("equals ticking at every wake-up on long stages (the agenda and the long done lists)", () => {
    fc.assert(
      fc.property(longStageArb, customerArb, startArb, (journey, customer, start) => {
        const c: Case = { definition: journey.definition, customer, start: new Date(start).toISOString(), inputs: [], end: new Date(start + 60 * DAY_MS).toISOString() };
        expect(journey.simulate(customer, [], { start, until: c.end }).effects).toEqual(playPunctually(journey, c));
      }),
      params(20),
    );
  });

  /** A stored 4,000-step stage (from before the 200-step limit), in three shapes. */
  const bigStage = (n: number, shape: "minutes" | "days" | "same-time") =>
    new JourneyClass({
      id: "big", version: 1, timezone: "Asia/Shanghai", entry: "s", window: { from: "09:00", to: "21:00" },
      stages: [{
        id: "s",
        sop: Array.from({ length: n }, (_, i): StepDefinition => ({
          id: `s${i}`, channel: "private_chat", content: `c${i}`,
          ...(shape === "minutes" ? { after: `${i}m` } : shape === "days" ? { day: Math.floor(i / 10), at: "10:00" } : { after: "0m" }),
        })),
      }],
    });

  it.each(["minutes", "days", "same-time"] as const)("costs work linear in the steps (%s apart): 4× the steps, at most 4.5× the work", (shape) => {
    const start = Date.parse("2026-11-01T00:00:00Z");
    const run = (n: number) => {
      const journey = bigStage(n, shape);
      const sim = journey.simulate(journey.enroll({ id: "c" }, start), [], { until: start + 800 * DAY_MS, budget: Infinity });
      expect(sim.effects.filter((e) => e.type === "step.due")).toHaveLength(n);
      return sim.scanned;
    };
    const small = run(1_000);
    const large = run(4_000);
    expect(large).toBeLessThanOrEqual(4.5 * small);
    expect(large).toBeLessThanOrEqual(8 * 4_000);
  });

  it("stops at maxSteps and at its budget, saying it was truncated", () => {
    const journey = bigStage(4_000, "minutes");
    const start = Date.parse("2026-11-01T00:00:00Z");
    const state = journey.enroll({ id: "c" }, start);
    const first = journey.simulate(state, [], { until: start + 400 * DAY_MS, maxSteps: 50 });
    expect(first.effects.filter((e) => e.type === "step.due").map((e) => ("stepId" in e ? e.stepId : ""))).toEqual(Array.from({ length: 50 }, (_, i) => `s${i}`));
    expect(first.truncated).toBe(true);
    // Placing the stage's steps once is linear; nothing is spent on the months past the 50th step.
    expect(first.scanned).toBeLessThan(2 * 4_000);
    const budgeted = journey.simulate(state, [], { until: start + 400 * DAY_MS, budget: 300 });
    expect(budgeted.truncated).toBe(true);
    expect(budgeted.effects.filter((e) => e.type === "step.due")).toHaveLength(299); // the stage entry is one happening
    const all = journey.simulate(state, [], { until: start + 400 * DAY_MS });
    expect(all.truncated).toBe(false);
    expect(first.scanned).toBeLessThan(all.scanned);
  });

  it("a stage ping-ponging on 1-minute silences for a year ends at the simulation budget", () => {
    const journey = defineJourney({
      id: "pingpong", version: 1, timezone: "Asia/Shanghai", entry: "a",
      stages: [{ id: "a" }, { id: "b" }],
      transitions: [{ from: "a", to: "b", silentFor: "1m" }, { from: "b", to: "a", silentFor: "1m" }],
    });
    const sim = journey.simulate({ id: "c" }, [], { start: "2026-01-01T00:00:00Z", until: "2027-01-01T00:00:00Z" });
    expect(sim.truncated).toBe(true);
    expect(sim.effects.filter((e) => e.type === "stage.entered")).toHaveLength(10_000);
  });
});
