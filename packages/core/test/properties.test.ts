import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { DateTime, IANAZone, Settings } from "luxon";
import { describe, expect, it } from "vitest";
import {
  type Effect,
  type Journey,
  type JourneyDefinition,
  type JourneyInput,
  type JourneyState,
  type StageDefinition,
  type StepDefinition,
  type StepDueEffect,
  type StepSkippedEffect,
  type TimeRange,
  type WindowDefinition,
  defineJourney,
  stepKeyPrefix,
} from "@sopline/core";
import { type Case, type TickPattern, DAY_MS, EXPIRE, MINUTE_MS, caseArb, tickPatternArb } from "./arbitraries.js";

// Property-based tests of the journey engine. Each property generates valid journeys, customers in
// DST zones and event streams over ~90 days starting near DST changes, runs them through advance()
// and checks an invariant against an independent oracle (Luxon / Intl for calendar arithmetic).
// fast-check prints the seed and counterexample path on failure; rerun one with FC_SEED=<seed>
// (and FC_PATH=<path>). FC_RUNS=<factor> scales every numRuns.

const RUNS = Number(process.env.FC_RUNS ?? 1);
const params = <T,>(numRuns: number): fc.Parameters<T> => ({
  numRuns: Math.max(1, Math.round(numRuns * RUNS)),
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
  ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
});

// ---------------------------------------------------------------- running histories

type StepEffect = StepDueEffect | StepSkippedEffect;
const isStep = (e: Effect): e is StepEffect => e.type === "step.due" || e.type === "step.skipped";
const stepSig = (e: StepEffect) => `${e.type} ${e.key} ${e.dueAt}${e.type === "step.skipped" ? ` ${e.reason}` : ""}`;

interface History {
  effects: Effect[];
  /** Every state in order: the enrolled one, then one per advance(). */
  states: JourneyState[];
  /** Each advance() call's input and effects, in order. */
  calls: Array<{ input: JourneyInput; effects: Effect[] }>;
  final: JourneyState;
}

interface PlayOptions {
  /** JSON round-trip the state before every advance(). */
  roundTrip?: boolean;
  /** Deep-freeze every state and input handed to advance(). */
  freeze?: boolean;
  /** Overrides the case's end. */
  end?: number;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object" && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** The inputs of a case plus ticks: every N minutes, or only one at the end ("sparse"). */
function schedule(c: Case, pattern: { every: number } | "sparse", end: number): JourneyInput[] {
  const out: JourneyInput[] = [];
  if (pattern === "sparse") {
    out.push(...c.inputs);
  } else {
    let t = Date.parse(c.start);
    for (const input of c.inputs) {
      const at = Date.parse(input.at);
      for (; t <= at; t += pattern.every * MINUTE_MS) out.push({ type: "tick", at: t });
      out.push(input);
    }
    for (; t <= end; t += pattern.every * MINUTE_MS) out.push({ type: "tick", at: t });
  }
  out.push({ type: "tick", at: end });
  return out;
}

/**
 * Plays a case: enroll at `start`, then the inputs with the tick pattern. "punctual" ticks exactly at
 * every nextWakeAt() (as a perfect scheduler would) and checks the wake-up always moves forward.
 */
function play(journey: Journey, c: Case, pattern: TickPattern, opts: PlayOptions = {}): History {
  const end = opts.end ?? Date.parse(c.end);
  let state = journey.enroll(c.customer, c.start);
  const effects: Effect[] = [];
  const states: JourneyState[] = [state];
  const calls: History["calls"] = [];
  const advance = (input: JourneyInput) => {
    let s = state;
    if (opts.roundTrip) s = JSON.parse(JSON.stringify(s)) as JourneyState;
    if (opts.freeze) {
      deepFreeze(s);
      deepFreeze(input);
    }
    const out = journey.advance(s, input);
    effects.push(...out.effects);
    calls.push({ input, effects: out.effects });
    state = out.state;
    states.push(state);
  };
  if (pattern === "punctual") {
    const until = (t: number) => {
      for (let guard = 0; state.wake !== null && state.wake <= t; guard++) {
        const wake = state.wake;
        advance({ type: "tick", at: wake });
        if (state.wake !== null && state.wake <= wake) {
          throw new Error(`a tick at its wake-up ${new Date(wake).toISOString()} left the wake-up at ${new Date(state.wake).toISOString()}`);
        }
        if (guard > 50_000) throw new Error("more than 50,000 wake-ups");
      }
    };
    for (const input of c.inputs) {
      until(Date.parse(input.at));
      advance(input);
    }
    until(end);
    advance({ type: "tick", at: end });
  } else {
    for (const input of schedule(c, pattern, end)) advance(input);
  }
  return { effects, states, calls, final: state };
}

// ---------------------------------------------------------------- calendar oracle (Luxon + Intl)

const zoneOf = (c: Case) => c.customer.timezone ?? c.definition.timezone;
const offsetMin = (zone: string, ts: number) => IANAZone.create(zone).offset(ts);

/**
 * Every instant whose wall-clock time in `zone` is the given local date and time: one normally, two in
 * a fall-back overlap (ascending), and for a time inside a spring-forward gap the time moved forward
 * by the gap's length (e.g. 02:30 → 03:30 in New York), as Luxon documents.
 */
function wallToInstants(zone: string, y: number, mo: number, d: number, todMs: number): number[] {
  const local = Date.UTC(y, mo - 1, d) + todMs;
  const offsets = [...new Set([offsetMin(zone, local - DAY_MS), offsetMin(zone, local), offsetMin(zone, local + DAY_MS)])];
  const valid = offsets.map((o) => local - o * MINUTE_MS).filter((utc) => offsetMin(zone, utc) * MINUTE_MS === local - utc);
  if (valid.length > 0) return [...new Set(valid)].sort((a, b) => a - b);
  return [local - Math.min(...offsets) * MINUTE_MS];
}

function localParts(zone: string, ts: number) {
  const dt = DateTime.fromMillis(ts, { zone });
  return { y: dt.year, mo: dt.month, d: dt.day, tod: ((dt.hour * 60 + dt.minute) * 60 + dt.second) * 1000 + dt.millisecond };
}

function plusDays(y: number, mo: number, d: number, days: number) {
  const dt = DateTime.utc(y, mo, d).plus({ days });
  return { y: dt.year, mo: dt.month, d: dt.day };
}

/** The small duration vocabulary of the arbitraries as calendar days + exact ms. */
function parseSpan(text: string): { days: number; ms: number } {
  let days = 0;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(w|d|h|m)/g)) {
    const v = Number(n);
    if (unit === "w") days += 7 * v;
    else if (unit === "d") days += v;
    else if (unit === "h") ms += v * 3_600_000;
    else ms += v * MINUTE_MS;
  }
  return { days, ms };
}

/** Calendar addition in a zone: days on the wall clock, then exact ms; candidates as in wallToInstants. */
function addSpan(zone: string, ts: number, span: { days: number; ms: number }): number[] {
  if (span.days === 0) return [ts + span.ms];
  const p = localParts(zone, ts);
  const day = plusDays(p.y, p.mo, p.d, span.days);
  return wallToInstants(zone, day.y, day.mo, day.d, p.tod).map((t) => t + span.ms);
}

const clockMs = (hhmm: string) => (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))) * MINUTE_MS;

/**
 * When an `after` / `day` step is first scheduled from its anchor (stage entry, or the end of the
 * wait before its segment), not clamped: the candidate instants (two for an ambiguous wall-clock time).
 */
function firstCandidates(zone: string, anchor: number, step: StepDefinition): number[] {
  if (step.after !== undefined) return addSpan(zone, anchor, parseSpan(String(step.after)));
  const p = localParts(zone, anchor);
  const day = plusDays(p.y, p.mo, p.d, step.day!);
  return wallToInstants(zone, day.y, day.mo, day.d, step.at !== undefined ? clockMs(step.at) : p.tod);
}

/**
 * When occurrence `n` (1-based) of a step is scheduled: the first time clamped to the anchor for
 * n = 1 (a step whose time already passed is due at entry); first + (n-1) × every for repeats.
 */
function scheduledCandidates(zone: string, anchor: number, step: StepDefinition, n = 1): number[] {
  const first = firstCandidates(zone, anchor, step);
  if (n === 1) return [...new Set(first.map((t) => Math.max(t, anchor)))];
  const every = parseSpan(String(step.repeat!.every));
  const times = first.flatMap((t) => addSpan(zone, t, { days: every.days * (n - 1), ms: every.ms * (n - 1) }));
  return [...new Set(times)].sort((a, b) => a - b);
}

// ---------------------------------------------------------------- send windows oracle

const DAY_NAMES: Record<string, number[]> = {
  mon: [1], tue: [2], wed: [3], thu: [4], fri: [5], sat: [6], sun: [7], weekdays: [1, 2, 3, 4, 5], weekend: [6, 7],
};

const compiledRanges = new WeakMap<TimeRange, { from: number; to: number; days: Set<number> }>();

function inRange(r: TimeRange, weekday: number, minute: number): boolean {
  let c = compiledRanges.get(r);
  if (!c) {
    c = {
      from: clockMs(r.from) / MINUTE_MS,
      to: r.to === "24:00" ? 1440 : clockMs(r.to) / MINUTE_MS,
      days: new Set((r.days ?? ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]).flatMap((d) => DAY_NAMES[d]!)),
    };
    compiledRanges.set(r, c);
  }
  const { from, to, days } = c;
  const prev = weekday === 1 ? 7 : weekday - 1;
  if (from < to) return days.has(weekday) && minute >= from && minute < to;
  // Past midnight: the part after midnight belongs to the previous day's range.
  return (days.has(weekday) && minute >= from) || (days.has(prev) && minute < to);
}

interface EffectiveWindow {
  open: TimeRange[] | null;
  quiet: TimeRange[];
}

const asRanges = (v: TimeRange | TimeRange[]): TimeRange[] => (Array.isArray(v) ? v : [v]);

function resolveWindow(def: WindowDefinition | undefined, attrs: Record<string, unknown> | undefined): TimeRange[] | null {
  if (def === undefined) return null;
  if (Array.isArray(def) || "from" in def) return asRanges(def as TimeRange | TimeRange[]);
  const value = attrs?.[def.byAttribute];
  const picked = value !== undefined ? def.cases[String(value)] : undefined;
  const chosen = picked ?? def.default;
  return chosen === undefined ? null : asRanges(chosen);
}

/** The step's effective window: step ?? stage ?? journey (window and quiet hours separately). */
function windowOf(def: JourneyDefinition, stage: StageDefinition, step: StepDefinition, attrs: Record<string, unknown> | undefined): EffectiveWindow {
  const quiet = step.quietHours ?? stage.quietHours ?? def.quietHours;
  return { open: resolveWindow(step.window ?? stage.window ?? def.window, attrs), quiet: quiet === undefined ? [] : asRanges(quiet) };
}

/** UTC offsets (minutes) per zone and quarter hour, straight from Intl via Luxon, memoised for the minute scans. */
const offsetMemo = new Map<string, Map<number, number>>();
function cachedOffset(zone: string, ts: number): number {
  let memo = offsetMemo.get(zone);
  if (!memo) offsetMemo.set(zone, (memo = new Map()));
  const bucket = Math.floor(ts / 900_000);
  let o = memo.get(bucket);
  if (o === undefined) memo.set(bucket, (o = offsetMin(zone, bucket * 900_000)));
  return o;
}

/** Local ISO weekday (1 = Monday) and minute of the day at an instant. */
function localClock(zone: string, ts: number): { weekday: number; minute: number } {
  const local = ts + cachedOffset(zone, ts) * MINUTE_MS;
  const day = Math.floor(local / DAY_MS);
  return { weekday: ((((day + 3) % 7) + 7) % 7) + 1, minute: Math.floor((local - day * DAY_MS) / MINUTE_MS) };
}

function isOpen(zone: string, ts: number, w: EffectiveWindow): boolean {
  const { weekday, minute } = localClock(zone, ts);
  if (w.open !== null && !w.open.some((r) => inRange(r, weekday, minute))) return false;
  return !w.quiet.some((r) => inRange(r, weekday, minute));
}

const unconstrained = (w: EffectiveWindow) => w.open === null && w.quiet.length === 0;

// ---------------------------------------------------------------- definition lookups

function stageDef(def: JourneyDefinition, id: string): StageDefinition {
  return def.stages.find((s) => s.id === id)!;
}

function stepDef(def: JourneyDefinition, stage: string, id: string): StepDefinition {
  return (stageDef(def, stage).sop ?? []).find((s) => s.id === id)!;
}

/** Steps up to and including the first waitFor step start at stage entry (segment 0). */
function segmentOf(stage: StageDefinition, stepId: string): number {
  let segment = 0;
  for (const step of stage.sop ?? []) {
    if (step.id === stepId) return segment;
    if (step.waitFor) segment++;
  }
  return -1;
}

function capOf(def: JourneyDefinition, stage: StageDefinition, mode: "auto" | "task") {
  const cap = stage.frequencyCap ?? def.frequencyCap;
  return cap && (cap.modes ?? ["auto"]).includes(mode) ? cap : undefined;
}

function expireOf(def: JourneyDefinition, stage: StageDefinition, step: StepDefinition): number | undefined {
  const e = step.expireAfter ?? stage.expireAfter ?? def.expireAfter;
  if (e === undefined) return undefined;
  expect(EXPIRE).toContain(e); // exact elapsed durations only
  const span = parseSpan(String(e));
  return span.days * DAY_MS + span.ms;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Checks every step effect of a history against its send window and its schedule, computed
 * independently: single and recurring `after` / `day` steps from their segment's anchor (stage entry,
 * or when the preceding wait ended), alternatives from the previous touch + the wait's timeout.
 * A step is never due before its scheduled time, is inside its window, and — unless a frequency cap
 * may hold it back — goes out at the first open minute (exactly on time without a window).
 * `strictAmbiguous` requires an ambiguous wall-clock time (DST fall-back) to resolve to the earlier
 * instant, as zone.ts documents; otherwise either instant is accepted.
 */
function checkTiming(c: Case, history: History, strictAmbiguous: boolean): void {
  const def = c.definition;
  const zone = zoneOf(c);
  let visit = { stage: "", visit: 0, entry: 0, anchors: [] as number[] };
  /** The last touch time of each waiting step (its own due or its latest alternative). */
  const lastTouch = new Map<string, number>();
  for (const e of history.effects) {
    if (e.type === "stage.entered") {
      visit = { stage: e.to, visit: e.visit, entry: Date.parse(e.at), anchors: [] };
      continue;
    }
    if (e.type === "wait.ended") visit.anchors.push(Date.parse(e.at));
    if (!isStep(e)) continue;
    const stage = stageDef(def, e.stage);
    const step = stepDef(def, e.stage, e.stepId);
    const due = Date.parse(e.dueAt);
    const alt = e.alternative !== undefined ? step.waitFor!.alternatives![e.alternative - 1]! : undefined;
    const mode = e.type === "step.due" ? e.mode : (alt?.mode ?? step.mode ?? "auto");
    const w = windowOf(def, stage, step, c.customer.attributes);
    const noWindow = e.type === "step.skipped" && e.reason === "no-window";
    expect(`${e.stage}:${e.visit}`, e.key).toBe(`${visit.stage}:${visit.visit}`);
    if (!noWindow) {
      expect(isOpen(zone, due, w), `${e.key} due ${e.dueAt} (${DateTime.fromMillis(due, { zone }).toFormat("ccc HH:mm")} ${zone}) is outside its window ${JSON.stringify(w)}`).toBe(true);
    }
    let candidates: number[];
    let what: string;
    if (alt !== undefined) {
      const previous = lastTouch.get(e.stepId)!;
      candidates = addSpan(zone, previous, parseSpan(String(step.waitFor!.timeout)));
      what = `alternative ${e.alternative} after the touch at ${iso(previous)} + ${step.waitFor!.timeout}`;
    } else {
      const segment = segmentOf(stage, step.id);
      const anchor = segment === 0 ? visit.entry : visit.anchors[segment - 1];
      expect(anchor, `${e.key}: segment ${segment} started without its wait ending`).toBeDefined();
      candidates = scheduledCandidates(zone, anchor!, step, e.occurrence !== undefined ? Number(e.occurrence) : 1);
      what = `${JSON.stringify({ after: step.after, day: step.day, at: step.at, repeat: step.repeat })} from ${iso(anchor!)}`;
    }
    if (step.waitFor) {
      lastTouch.set(e.stepId, due);
      // A skipped waiting step does not hold the rest of the SOP: its segment ends at once.
      if (e.type === "step.skipped" && alt === undefined) visit.anchors.push(due);
    }
    const earliest = candidates[0]!;
    const context = `${e.key} (${what}) scheduled ${candidates.map(iso).join(" or ")} due ${e.dueAt}`;
    expect(due, `${context}: due before its scheduled time`).toBeGreaterThanOrEqual(earliest);
    if (noWindow) continue;
    if (capOf(def, stage, mode) !== undefined) continue; // a cap may hold it back any time
    if (unconstrained(w)) {
      if (strictAmbiguous) expect(iso(due), `${context}: expected exactly the (earlier) scheduled time`).toBe(iso(earliest));
      else expect(candidates.map(iso), `${context}: expected exactly the scheduled time`).toContain(iso(due));
    } else {
      // Nothing was open between the scheduled time and the due time: it went out at the first opening.
      const from = strictAmbiguous ? earliest : Math.max(...candidates.filter((t) => t <= due));
      expect(due - from, `${context}: delayed more than 8 days by a window`).toBeLessThanOrEqual(9 * DAY_MS);
      for (let t = from; t < due; t += MINUTE_MS) {
        if (isOpen(zone, t, w)) {
          expect.fail(`${context}: the window was already open at ${iso(t)} (${DateTime.fromMillis(t, { zone }).toFormat("ccc HH:mm")} ${zone})`);
        }
      }
    }
  }
}

// ---------------------------------------------------------------- properties

describe("test oracle sanity", () => {
  it("the minute-scan clock agrees with Luxon's wall clock in every zone", () => {
    fc.assert(
      fc.property(fc.constantFrom("Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe"), fc.integer({ min: Date.parse("2026-01-01"), max: Date.parse("2028-01-01") }), (zone, ts) => {
        const t = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
        const dt = DateTime.fromMillis(t, { zone });
        expect(localClock(zone, t)).toEqual({ weekday: dt.weekday, minute: dt.hour * 60 + dt.minute });
      }),
      params(500),
    );
  });

  it("wallToInstants: one instant normally, two in a fall-back overlap, forward past a spring-forward gap", () => {
    expect(wallToInstants("America/New_York", 2026, 11, 1, clockMs("01:30")).map(iso)).toEqual(["2026-11-01T05:30:00.000Z", "2026-11-01T06:30:00.000Z"]);
    expect(wallToInstants("America/New_York", 2026, 3, 8, clockMs("02:30")).map(iso)).toEqual(["2026-03-08T07:30:00.000Z"]); // 03:30 EDT
    expect(wallToInstants("Australia/Lord_Howe", 2026, 10, 4, clockMs("02:15")).map(iso)).toEqual(["2026-10-03T15:45:00.000Z"]); // 02:45 +11
    expect(wallToInstants("Australia/Lord_Howe", 2026, 4, 5, clockMs("01:45")).map(iso)).toEqual(["2026-04-04T14:45:00.000Z", "2026-04-04T15:15:00.000Z"]);
    expect(wallToInstants("Asia/Shanghai", 2026, 11, 23, clockMs("09:00")).map(iso)).toEqual(["2026-11-23T01:00:00.000Z"]);
  });
});

describe("journey engine properties", () => {
  it("never emits an idempotency key twice (step.due and step.skipped) in one history", () => {
    fc.assert(
      fc.property(caseArb(), tickPatternArb(), (c, pattern) => {
        const history = play(defineJourney(c.definition), c, pattern);
        const keys = history.effects.filter(isStep).map((e) => e.key);
        const repeated = keys.filter((k, i) => keys.indexOf(k) !== i);
        expect(repeated).toEqual([]);
      }),
      params(60),
    );
  });

  it("gives every idempotency key of an enrollment its journey-and-customer prefix (a store reads an enrollment's records as one key range)", () => {
    fc.assert(
      fc.property(caseArb(), tickPatternArb(), (c, pattern) => {
        const journey = defineJourney(c.definition);
        const prefix = stepKeyPrefix(c.definition.id, c.customer.id);
        const history = play(journey, c, pattern);
        for (const e of history.effects.filter(isStep)) expect(e.key.startsWith(prefix), e.key).toBe(true);
        // a customer whose id extends this one (an enrollment per staff member: "cust-1/staff") gets another range
        expect(stepKeyPrefix(c.definition.id, `${c.customer.id}/s`).startsWith(prefix)).toBe(false);
      }),
      params(30),
    );
  });

  it("sends every step (single, recurring, after a wait, alternatives) inside its window, never before its scheduled time, at the first opening (independent Luxon oracle)", () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        checkTiming(c, play(defineJourney(c.definition), c, "punctual"), false);
      }),
      params(80),
    );
  });

  it("gives the same steps with the same dueAt whether ticked every N minutes, at each wake-up or only at events and the end", () => {
    fc.assert(
      fc.property(caseArb(), fc.integer({ min: 5, max: 24 * 60 }), (c, n) => {
        const journey = defineJourney(c.definition);
        const reference = play(journey, c, "sparse");
        const steps = reference.effects.filter(isStep).map(stepSig);
        for (const pattern of ["punctual", { every: 17 }, { every: 60 }, { every: n }] as TickPattern[]) {
          const other = play(journey, c, pattern);
          expect(other.effects.filter(isStep).map(stepSig), `ticking ${JSON.stringify(pattern)}`).toEqual(steps);
          // Everything else (stage changes, tags, waits) happens at the same times too.
          expect(other.effects, `ticking ${JSON.stringify(pattern)}`).toEqual(reference.effects);
        }
        // simulate() is the punctual scheduler of the library itself.
        const sim = journey.simulate(c.customer, c.inputs, { start: c.start, until: c.end });
        expect(sim.effects.filter(isStep).map(stepSig)).toEqual(steps);
      }),
      params(25),
    );
  });

  it("with expireAfter, a late tick skips exactly the steps whose dueAt + expireAfter is before it", () => {
    // No caps and no waits: a skipped step then changes nothing else, so the punctual history (where
    // nothing expires) says exactly which steps the late tick must skip.
    fc.assert(
      fc.property(caseArb({ expire: true, caps: "none", waits: false }), fc.boolean(), (c0, withEvents) => {
        const c = withEvents ? c0 : { ...c0, inputs: [] };
        const journey = defineJourney(c.definition);
        const punctual = play(journey, c, "punctual");
        expect(punctual.effects.filter((e) => e.type === "step.skipped" && e.reason === "expired")).toEqual([]);
        const sparse = play(journey, c, "sparse");
        const inputTimes = [...c.inputs.map((i) => Date.parse(i.at)), Date.parse(c.end)];
        const expected = punctual.effects.filter(isStep).map((e) => {
          if (e.type === "step.skipped") return stepSig(e);
          const due = Date.parse(e.dueAt);
          const processedAt = inputTimes.find((t) => t >= due)!;
          const expire = expireOf(c.definition, stageDef(c.definition, e.stage), stepDef(c.definition, e.stage, e.stepId));
          const expired = expire !== undefined && processedAt > due + expire;
          return expired ? `step.skipped ${e.key} ${e.dueAt} expired` : stepSig(e);
        });
        expect(sparse.effects.filter(isStep).map(stepSig)).toEqual(expected);
      }),
      params(60),
    );
  });

  it("leaving a stage cancels its pending steps: every step effect belongs to the current stage visit", () => {
    fc.assert(
      fc.property(caseArb(), tickPatternArb(), (c, pattern) => {
        const history = play(defineJourney(c.definition), c, pattern);
        let current: string | null = null;
        const handled = new Map<string, Set<string>>();
        for (const e of history.effects) {
          if (e.type === "stage.entered") current = `${e.to}:${e.visit}`;
          if (e.type === "stage.exited") {
            // Accounting: each single (non-recurring) step of the visit was handled or is listed as cancelled, never both.
            const done = handled.get(`${e.stage}:${e.visit}`) ?? new Set();
            for (const step of stageDef(c.definition, e.stage).sop ?? []) {
              if (step.repeat) continue;
              expect(done.has(step.id) !== e.cancelled.includes(step.id), `${step.id} in ${e.stage}:${e.visit}: handled=${done.has(step.id)} cancelled=${JSON.stringify(e.cancelled)}`).toBe(true);
            }
          }
          if (isStep(e)) {
            expect(`${e.stage}:${e.visit}`, e.key).toBe(current);
            const set = handled.get(current!) ?? new Set<string>();
            set.add(e.stepId);
            handled.set(current!, set);
          }
        }
      }),
      params(60),
    );
  });

  it("handles every single step of a stage exactly once when the customer stays in it", () => {
    // No transitions and no manual moves: the customer stays in the entry stage for 150 days.
    fc.assert(
      fc.property(caseArb({ transitions: false }, { moves: false }), (c) => {
        const end = Date.parse(c.start) + 150 * DAY_MS;
        const history = play(defineJourney(c.definition), { ...c, end: iso(end) }, "punctual", { end });
        const stage = c.definition.stages[0]!;
        const handled = history.effects.filter((e) => isStep(e) && e.alternative === undefined).map((e) => (e as StepEffect).stepId);
        for (const step of stage.sop ?? []) {
          if (step.repeat || segmentOf(stage, step.id) !== 0) continue;
          expect(handled.filter((id) => id === step.id), step.id).toEqual([step.id]);
        }
      }),
      params(40),
    );
  });

  it("keeps a frequency cap: no more than max capped touches in any rolling period", () => {
    fc.assert(
      fc.property(caseArb({ caps: "journey" }), (c) => {
        const cap = c.definition.frequencyCap;
        if (!cap) return;
        const zone = zoneOf(c);
        const modes = cap.modes ?? ["auto"];
        const history = play(defineJourney(c.definition), c, "punctual");
        const times = history.effects.filter((e): e is StepDueEffect => e.type === "step.due" && modes.includes(e.mode)).map((e) => Date.parse(e.dueAt));
        for (let i = cap.max; i < times.length; i++) {
          const free = Math.min(...addSpan(zone, times[i - cap.max]!, parseSpan(String(cap.per))));
          expect(times[i]!, `touch ${i} at ${iso(times[i]!)}: ${cap.max} per ${cap.per} already used since ${iso(times[i - cap.max]!)}`).toBeGreaterThanOrEqual(free);
        }
      }),
      params(60),
    );
  });

  it("emits effects in time order and always moves nextWakeAt past the tick", () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const history = play(defineJourney(c.definition), c, "punctual"); // play() checks the wake-ups
        let last = -Infinity;
        for (const e of history.effects) {
          const t = Date.parse("dueAt" in e ? e.dueAt : e.at);
          expect(t, `${e.type} ${"key" in e ? e.key : ""}`).toBeGreaterThanOrEqual(last);
          last = t;
        }
      }),
      params(60),
    );
  });

  it("skips a step with `unless` exactly when one of its events happened earlier in the same stage visit", () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        // Ticking at every wake-up, an event's advance() has nothing to catch up on: all its effects are its own.
        const history = play(defineJourney(c.definition), c, "punctual");
        let current = "";
        let seen = new Set<string>();
        for (const call of history.calls) {
          if (call.input.type === "event") seen.add(call.input.name); // seen by the visit current when it arrives
          for (const e of call.effects) {
            if (e.type === "stage.entered") {
              current = `${e.to}:${e.visit}`;
              seen = new Set();
            }
            if (!isStep(e) || e.alternative !== undefined) continue;
            const step = stepDef(c.definition, e.stage, e.stepId);
            const unless = step.unless === undefined ? [] : Array.isArray(step.unless) ? step.unless : [step.unless];
            const hit = unless.filter((u) => typeof u === "string" && seen.has(u)); // the arbitraries write names only
            const skipped = e.type === "step.skipped" && e.reason === "condition";
            expect({ key: e.key, visit: current, skippedForCondition: skipped }, `unless ${JSON.stringify(unless)}, seen ${JSON.stringify([...seen])}`).toEqual({
              key: e.key,
              visit: `${e.stage}:${e.visit}`,
              skippedForCondition: hit.length > 0,
            });
          }
        }
      }),
      params(60),
    );
  });

  it("survives a JSON round-trip of the state at any point with identical results", () => {
    fc.assert(
      fc.property(caseArb(), tickPatternArb(120), (c, pattern) => {
        const journey = defineJourney(c.definition);
        const original = play(journey, c, pattern);
        for (const s of original.states) expect(JSON.parse(JSON.stringify(s))).toStrictEqual(s);
        const roundTripped = play(journey, c, pattern, { roundTrip: true });
        expect(roundTripped.effects).toEqual(original.effects);
        expect(roundTripped.final).toStrictEqual(original.final);
      }),
      params(40),
    );
  });

  it("is pure: the same inputs give deep-equal outputs and advance() never mutates its input state", () => {
    fc.assert(
      fc.property(caseArb(), tickPatternArb(120), (c, pattern) => {
        const a = play(defineJourney(c.definition), c, pattern);
        const snapshots = a.states.map((s) => structuredClone(s));
        const b = play(defineJourney(structuredClone(c.definition)), structuredClone(c), pattern, { freeze: true });
        expect(b.effects).toEqual(a.effects);
        expect(b.states).toEqual(a.states);
        expect(a.states).toEqual(snapshots);
      }),
      params(40),
    );
  });
});

// ---------------------------------------------------------------- DST: ambiguous wall-clock times

/** Fall-back days: the local hour (or half hour) that happens twice. */
const FALL_BACK = [
  { zone: "America/New_York", day: "2026-11-01", at: ["01:00", "01:30", "01:59"] },
  { zone: "Europe/London", day: "2026-10-25", at: ["01:00", "01:30", "01:59"] },
  { zone: "Australia/Lord_Howe", day: "2026-04-05", at: ["01:30", "01:45", "01:59"] },
] as const;

describe("DST fall-back: an ambiguous wall-clock time takes the earlier instant (zone.ts documents it)", () => {
  it("day + at on a fall-back day is due at the earlier of the two instants, whatever the machine clock says", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FALL_BACK).chain((fb) => fc.record({ fb: fc.constant(fb), at: fc.constantFrom(...fb.at), day: fc.integer({ min: 1, max: 3 }), after: fc.boolean() })),
        ({ fb, at, day, after }) => {
          const entryDay = DateTime.fromISO(fb.day, { zone: "utc" }).minus({ days: day });
          const start = DateTime.fromObject({ year: entryDay.year, month: entryDay.month, day: entryDay.day, hour: 12 }, { zone: fb.zone }).toMillis();
          // "after: Nd" from an entry at that wall-clock time lands on the same ambiguous time.
          const entry = after ? wallToInstants(fb.zone, entryDay.year, entryDay.month, entryDay.day, clockMs(at))[0]! : start;
          const step: StepDefinition = after
            ? { id: "s", after: `${day}d`, channel: "sms", content: "x" }
            : { id: "s", day, at, channel: "sms", content: "x" };
          const def: JourneyDefinition = { id: "pj", version: 1, timezone: fb.zone, entry: "a", stages: [{ id: "a", sop: [step] }] };
          const c: Case = { definition: def, customer: { id: "cust-1" }, start: iso(entry), inputs: [], end: iso(entry + 5 * DAY_MS) };
          checkTiming(c, play(defineJourney(def), c, "punctual"), true);
        },
      ),
      params(30),
    );
  });

  it("minimal example: the result of a 'day 1 at 01:30' step depends on the machine's clock (Luxon Settings.now)", () => {
    // New York falls back on 2030-11-03 and 2031-11-02 (wall-clock dates nothing else in this file touches,
    // so the engine's per-process memo does not hide the difference).
    const def: JourneyDefinition = {
      id: "pj", version: 1, timezone: "America/New_York", entry: "a",
      stages: [{ id: "a", sop: [{ id: "s", day: 1, at: "01:30", channel: "sms", content: "x" }] }],
    };
    const dueAt = (entry: string, machineNow: string) => {
      const saved = Settings.now;
      Settings.now = () => Date.parse(machineNow);
      try {
        const j = defineJourney(def);
        return j.simulate({ id: "c" }, [], { start: entry, until: Date.parse(entry) + 3 * DAY_MS }).effects.find((e) => e.type === "step.due")?.dueAt;
      } finally {
        Settings.now = saved;
      }
    };
    const summer = dueAt("2030-11-02T12:00:00-04:00", "2026-07-01T00:00:00Z");
    const winter = dueAt("2031-11-01T12:00:00-04:00", "2026-12-01T00:00:00Z");
    // 01:30 EDT (the earlier instant) both times; the engine gives 01:30 EST when the machine is in winter.
    expect({ summer, winter }).toEqual({ summer: "2030-11-03T05:30:00.000Z", winter: "2031-11-02T05:30:00.000Z" });
  });
});

// ---------------------------------------------------------------- DST: spring-forward gaps and windows

describe("DST spring-forward: a window that opens inside the gap", () => {
  it("a step goes out at the first open minute when the window starts inside a spring-forward gap", () => {
    const SPRING = [
      { zone: "America/New_York", day: "2026-03-08" }, // 02:00 → 03:00
      { zone: "Europe/London", day: "2026-03-29" }, // 01:00 → 02:00
      { zone: "Australia/Lord_Howe", day: "2026-10-04" }, // 02:00 → 02:30
    ];
    const quarter = (q: number) => `${String(Math.floor(q / 4)).padStart(2, "0")}:${String((q % 4) * 15).padStart(2, "0")}`;
    fc.assert(
      fc.property(
        fc.constantFrom(...SPRING),
        fc.integer({ min: 3, max: 11 }), // window start 00:45–02:45
        fc.integer({ min: 1, max: 8 }), // window length 15 min – 2 h
        fc.integer({ min: 1, max: 3 }), // entry 1–3 days before
        fc.integer({ min: 0, max: 95 }), // step time of day
        (spring, fromQ, lengthQ, daysBefore, atQ) => {
          const window: TimeRange = { from: quarter(fromQ), to: quarter(fromQ + lengthQ) };
          const def: JourneyDefinition = {
            id: "pj", version: 1, timezone: spring.zone, entry: "a",
            stages: [{ id: "a", window, sop: [{ id: "s", day: daysBefore - 1, at: quarter(atQ), channel: "sms", content: "x" }] }],
          };
          const entryDay = DateTime.fromISO(spring.day, { zone: spring.zone }).minus({ days: daysBefore }).set({ hour: 12 });
          const c: Case = { definition: def, customer: { id: "cust-1" }, start: iso(entryDay.toMillis()), inputs: [], end: iso(entryDay.toMillis() + 12 * DAY_MS) };
          checkTiming(c, play(defineJourney(def), c, "punctual"), false);
        },
      ),
      params(150),
    );
  });

  it("minimal example: window 02:30–03:15 (New York) is open 03:00–03:15 on 2026-03-08; a step due the day before goes out then", () => {
    // Found by the window property (seed -389348492 at FC_RUNS=10). The wall clock jumps 02:00 → 03:00, so
    // 03:00–03:15 EDT lies inside the 02:30–03:15 window; the engine skips to the next day's 02:30.
    const due = (window: TimeRange) => {
      const j = defineJourney({
        id: "pj", version: 1, timezone: "America/New_York", entry: "a",
        stages: [{ id: "a", window, sop: [{ id: "s", day: 1, at: "12:00", channel: "sms", content: "x" }] }],
      });
      return j.simulate({ id: "c" }, [], { start: "2026-03-06T12:00:00-05:00", until: "2026-03-12T00:00:00Z" }).effects.find((e) => e.type === "step.due")?.dueAt;
    };
    expect({
      "02:30-03:15": due({ from: "02:30", to: "03:15" }),
      "02:15-04:00": due({ from: "02:15", to: "04:00" }),
    }).toEqual({
      "02:30-03:15": "2026-03-08T07:00:00.000Z", // 03:00 EDT, the first open minute
      "02:15-04:00": "2026-03-08T07:00:00.000Z",
    });
  });
});

// ---------------------------------------------------------------- stage-level frequency caps

describe("stage-level frequency caps", () => {
  it("minimal example: a stage's cap (3 per 2d) still holds after a visit to a stage with a smaller cap (1 per 12h)", () => {
    const def: JourneyDefinition = {
      id: "pj", version: 1, timezone: "Asia/Shanghai", entry: "a",
      stages: [
        {
          id: "a",
          frequencyCap: { max: 3, per: "2d" },
          sop: [
            { id: "a1", after: "0m", channel: "sms", content: "x" },
            { id: "a2", after: "30m", channel: "sms", content: "x" },
            { id: "a3", after: "45m", channel: "sms", content: "x" },
          ],
        },
        { id: "b", frequencyCap: { max: 1, per: "12h" }, sop: [{ id: "b1", after: "0m", channel: "sms", content: "x" }] },
      ],
      transitions: [{ from: "a", to: "b", on: "demo" }, { from: "b", to: "a", on: "replied" }],
    };
    const sim = defineJourney(def).simulate({ id: "c" }, [
      { type: "event", id: "e1", name: "demo", at: "2026-10-01T02:00:00Z" },
      { type: "event", id: "e2", name: "replied", at: "2026-10-01T15:00:00Z" },
    ], { start: "2026-10-01T00:00:00Z", until: "2026-10-06T00:00:00Z" });
    const aTouches = sim.effects.filter((e): e is StepDueEffect => e.type === "step.due" && e.stage === "a").map((e) => Date.parse(e.dueAt));
    // However the cap counts (all capped touches, or only stage a's), no 2-day period holds 4 touches of stage a.
    const crowded = aTouches.filter((t, i) => i >= 3 && t - aTouches[i - 3]! < 2 * DAY_MS).map(iso);
    expect(crowded).toEqual([]);
  });
});

// ---------------------------------------------------------------- many stage moves in one advance()

describe("one advance() over a long gap", () => {
  it("minimal example: more than 64 silence moves in one tick (two stages ping-ponging on silentFor 1d, 70 days) must not hang", () => {
    // Run in a child process: the engine loops forever here, which would block the test worker.
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const core = fileURLToPath(new URL("../src/index.ts", import.meta.url));
    const script = `
      import { defineJourney } from ${JSON.stringify(core)};
      const j = defineJourney({ id: "j", version: 1, timezone: "Asia/Shanghai", entry: "a",
        stages: [{ id: "a", sop: [{ id: "hello", after: "0m", channel: "sms", content: "x" }] }, { id: "b" }],
        transitions: [{ from: "a", to: "b", silentFor: "1d" }, { from: "b", to: "a", silentFor: "1d" }] });
      const s = j.enroll({ id: "c" }, "2026-10-01T00:00:00Z");
      // A tick processes at most TICK_BUDGET (100) happenings: tick again at the same time until caught up.
      const at = "2026-12-10T00:00:00Z";
      let r = j.advance(s, { type: "tick", at });
      let entered = r.effects.filter((e) => e.type === "stage.entered").length;
      let ticks = 1;
      while (r.state.wake !== null && r.state.wake <= Date.parse(at)) {
        r = j.advance(r.state, { type: "tick", at });
        entered += r.effects.filter((e) => e.type === "stage.entered").length;
        ticks++;
      }
      console.log(JSON.stringify({ stage: r.state.stage, visit: r.state.visit, entered, ticks }));
    `;
    const out = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, timeout: 6_000, encoding: "utf8" });
    const timedOut = out.error !== undefined || out.signal !== null;
    expect({ timedOut, stderr: out.stderr.slice(0, 500) }).toEqual({ timedOut: false, stderr: "" });
    // 70 days of 1-day silences: 70 moves after the entry, ending in stage a (even) at visit 71;
    // with the 36 greetings of stage a that is 107 happenings, two ticks' worth.
    expect(JSON.parse(out.stdout)).toEqual({ stage: "a", visit: 71, entered: 71, ticks: 2 });
  });
});
