import fc from "fast-check";
import {
  CHANNELS,
  type Customer,
  type FrequencyCap,
  type JourneyDefinition,
  type JourneyInput,
  type StageDefinition,
  type StepDefinition,
  type TagRuleDefinition,
  type TimeRange,
  type TransitionDefinition,
  type WindowDefinition,
  validateJourney,
} from "@sopline/core";

// fast-check arbitraries for the property tests: valid journey definitions (2–4 stages), customers in
// DST and non-DST time zones, and input streams (events, manual moves) over ~90 days that start near
// DST changes. Every value is plain data so fast-check prints counterexamples readably; the tests
// build the Journey from it.

export const ZONES = ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe"] as const;
/** The journey's event vocabulary (transitions, tag rules, unless, waitFor draw from it). */
export const EVENTS = ["replied", "clicked", "demo", "trial", "bought"] as const;
export const TAGS = ["hot", "vip", "cold"] as const;
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

/**
 * Start dates near DST changes: NY spring-forward 2026-03-08, London 2026-03-29, Lord Howe fall-back
 * 2026-04-05 (30 min), Lord Howe spring-forward 2026-10-04, London fall-back 2026-10-25, NY fall-back 2026-11-01.
 */
export const STARTS = ["2026-03-01T00:00:00Z", "2026-03-25T00:00:00Z", "2026-09-28T00:00:00Z", "2026-10-20T00:00:00Z"] as const;

/** Durations the generated definitions use for `after` (all exact minute multiples). */
export const AFTER = ["0m", "30m", "45m", "90m", "2h", "26h", "3d", "1w", "1d12h"] as const;

export interface Knobs {
  /** Generate expireAfter (journey / stage / step level, exact-ms durations only). */
  expire?: boolean;
  /** Frequency caps: none, only at journey level, or anywhere. */
  caps?: "none" | "journey" | "any";
  /** waitFor steps with alternatives. */
  waits?: boolean;
  /** Transitions (event / silence / tag) and tag rules. */
  transitions?: boolean;
  /** Send windows and quiet hours. */
  windows?: boolean;
}

const DEFAULT_KNOBS: Required<Knobs> = { expire: false, caps: "any", waits: true, transitions: true, windows: true };

// ---------------------------------------------------------------- clock times, ranges, windows

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** Wall-clock times: any quarter hour, with extra weight on the hours DST changes skip or repeat. */
export const clockTimeArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 95 }).map((q) => hhmm(q * 15)) },
  { weight: 1, arbitrary: fc.constantFrom("01:30", "01:45", "02:00", "02:15", "02:30", "00:30") },
);

const daysArb: fc.Arbitrary<TimeRange["days"]> = fc.oneof(
  fc.subarray([...WEEKDAYS], { minLength: 1, maxLength: 5 }),
  fc.constantFrom<NonNullable<TimeRange["days"]>>(["weekdays"], ["weekend"], ["sat", "sun"]),
);

/** A time range; `to` earlier than `from` runs past midnight. Canned audience ranges plus random ones. */
export const rangeArb: fc.Arbitrary<TimeRange> = fc.oneof(
  fc.constantFrom<TimeRange>(
    { from: "09:00", to: "21:00" },
    { from: "20:00", to: "23:30" }, // bosses read at night
    { from: "11:00", to: "12:00", days: ["weekdays"] }, // before lunch
    { from: "17:30", to: "18:30", days: ["weekdays"] }, // before leaving work
    { from: "07:00", to: "09:00", days: ["weekend"] }, // weekend mornings
    { from: "22:00", to: "02:00" }, // overnight
    { from: "23:00", to: "06:30", days: ["fri", "sat"] }, // overnight, some days
    { from: "01:00", to: "03:00" }, // inside DST changes
  ),
  fc
    .record({ from: clockTimeArb, to: clockTimeArb, days: fc.option(daysArb, { nil: undefined }) })
    .filter((r) => r.from !== r.to)
    .map((r) => (r.days === undefined ? { from: r.from, to: r.to } : { from: r.from, to: r.to, days: r.days })),
);

export const windowArb: fc.Arbitrary<WindowDefinition> = fc.oneof(
  { weight: 3, arbitrary: rangeArb },
  { weight: 2, arbitrary: fc.array(rangeArb, { minLength: 1, maxLength: 3 }) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        byAttribute: fc.constant("role"),
        cases: fc.record({ boss: fc.array(rangeArb, { minLength: 1, maxLength: 2 }), staff: rangeArb }),
        default: rangeArb,
      },
      { requiredKeys: ["byAttribute", "cases"] },
    ),
  },
);

export const quietArb: fc.Arbitrary<TimeRange | TimeRange[]> = fc.oneof(
  fc.constantFrom<TimeRange | TimeRange[]>(
    { from: "22:00", to: "08:00" },
    { from: "12:00", to: "13:30" },
    [{ from: "00:00", to: "24:00", days: ["sun"] }],
    { from: "01:30", to: "02:30" },
  ),
  rangeArb,
);

export const capArb: fc.Arbitrary<FrequencyCap> = fc.record(
  {
    max: fc.integer({ min: 1, max: 3 }),
    per: fc.constantFrom("12h", "1d", "2d"),
    modes: fc.constantFrom<NonNullable<FrequencyCap["modes"]>>(["auto"], ["auto", "task"], ["task"]),
  },
  { requiredKeys: ["max", "per"] },
);

/** expireAfter values: exact elapsed durations, so the test can add them without a calendar. */
export const EXPIRE = ["1h", "90m", "6h", "36h", "72h"] as const;
export const expireArb = fc.constantFrom(...EXPIRE);

// ---------------------------------------------------------------- steps and stages

const opt = <T>(arb: fc.Arbitrary<T>, freq = 4) => fc.option(arb, { nil: undefined, freq });

/** Removes undefined fields so the definition is plain JSON (and strictObject-valid). */
function clean<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

const eventsArb = fc.subarray([...EVENTS], { minLength: 1, maxLength: 2 });
const oneOrManyEvents: fc.Arbitrary<string | string[]> = fc.oneof(fc.constantFrom(...EVENTS), eventsArb);

const timingArb: fc.Arbitrary<Pick<StepDefinition, "after" | "day" | "at">> = fc.oneof(
  fc.record({ after: fc.constantFrom(...AFTER) }),
  fc.record({ day: fc.integer({ min: 0, max: 10 }), at: clockTimeArb }),
  fc.record({ day: fc.integer({ min: 0, max: 4 }) }), // day N at the time of entry
);

function stepArb(stageIndex: number, stepIndex: number, k: Required<Knobs>): fc.Arbitrary<StepDefinition> {
  return fc
    .record({
      timing: timingArb,
      channel: fc.constantFrom(...CHANNELS),
      mode: opt(fc.constant("task" as const), 3),
      repeat: opt(fc.record({ every: fc.constantFrom("1h", "6h", "1d", "3d", "1w"), times: fc.integer({ min: 1, max: 4 }) })),
      unless: opt(oneOrManyEvents, 5),
      window: k.windows ? opt(windowArb, 6) : fc.constant(undefined),
      quietHours: k.windows ? opt(quietArb, 8) : fc.constant(undefined),
      expireAfter: k.expire ? opt(expireArb, 4) : fc.constant(undefined),
      waitFor: k.waits
        ? opt(
            fc.record(
              {
                event: oneOrManyEvents,
                timeout: fc.constantFrom("2h", "1d", "3d"),
                alternatives: fc.array(
                  fc.record(
                    { content: fc.constantFrom("alt-case", "alt-offer", "alt-article"), channel: fc.constantFrom(...CHANNELS), mode: fc.constantFrom("auto" as const, "task" as const) },
                    { requiredKeys: ["content"] },
                  ),
                  { maxLength: 2 },
                ),
                onTimeout: fc.constantFrom("continue" as const, "stay" as const),
              },
              { requiredKeys: ["event", "timeout"] },
            ),
            5,
          )
        : fc.constant(undefined),
    })
    .map((r) =>
      clean<StepDefinition>({
        id: `st${stageIndex}-${stepIndex}`,
        channel: r.channel,
        content: `content-${stageIndex}-${stepIndex}`,
        ...r.timing,
        mode: r.mode,
        // validation: a waiting step cannot repeat
        repeat: r.waitFor ? undefined : r.repeat,
        unless: r.unless,
        window: r.window,
        quietHours: r.quietHours,
        expireAfter: r.expireAfter,
        waitFor: r.waitFor,
      }),
    );
}

function stageArb(index: number, k: Required<Knobs>): fc.Arbitrary<StageDefinition> {
  return fc
    .record({
      stepCount: fc.integer({ min: 0, max: 5 }),
      steps: fc.tuple(...[0, 1, 2, 3, 4].map((j) => stepArb(index, j, k))),
      window: k.windows ? opt(windowArb, 4) : fc.constant(undefined),
      quietHours: k.windows ? opt(quietArb, 5) : fc.constant(undefined),
      frequencyCap: k.caps === "any" ? opt(capArb, 4) : fc.constant(undefined),
      expireAfter: k.expire ? opt(expireArb, 4) : fc.constant(undefined),
      addTags: k.transitions ? opt(fc.subarray([...TAGS], { minLength: 1, maxLength: 2 }), 4) : fc.constant(undefined),
      removeTags: k.transitions ? opt(fc.subarray([...TAGS], { minLength: 1, maxLength: 1 }), 6) : fc.constant(undefined),
    })
    .map((r) =>
      clean<StageDefinition>({
        id: `s${index}`,
        sop: r.steps.slice(0, Math.max(index === 0 ? 1 : 0, r.stepCount)),
        window: r.window,
        quietHours: r.quietHours,
        frequencyCap: r.frequencyCap,
        expireAfter: r.expireAfter,
        onEnter: r.addTags || r.removeTags ? clean({ addTags: r.addTags, removeTags: r.removeTags }) : undefined,
      }),
    );
}

// ---------------------------------------------------------------- transitions and tag rules

/**
 * Silence periods: long enough that one advance() over the ~120-day horizon never chains more than
 * ~48 stage moves (the engine caps moves per advance() call at 64 and then loops forever, see the
 * dedicated example in properties.test.ts).
 */
export const SILENT_FOR = ["10d", "2w", "30d"] as const;

function transitionsArb(n: number): fc.Arbitrary<TransitionDefinition[]> {
  const stage = fc.integer({ min: 0, max: n - 1 });
  const onEvent = fc
    .record({ from: fc.oneof(stage.map((i) => [i]), fc.constant("*" as const), fc.subarray([...Array(n).keys()], { minLength: 1 })), to: stage, on: oneOrManyEvents })
    .map(({ from, to, on }) => ({ from: from === "*" ? "*" : from.filter((f) => f !== to).map((f) => `s${f}`), to: `s${to}`, on }))
    .filter((t) => t.from === "*" || t.from.length > 0)
    .map((t) => ({ ...t, from: Array.isArray(t.from) && t.from.length === 1 ? t.from[0]! : t.from }) as TransitionDefinition);
  const onSilence = fc
    .record({ from: stage, to: stage, silentFor: fc.constantFrom(...SILENT_FOR) })
    .filter((t) => t.from !== t.to)
    .map((t): TransitionDefinition => ({ from: `s${t.from}`, to: `s${t.to}`, silentFor: t.silentFor }));
  // Tag transitions only go from a lower to a higher stage index: no cycles (validation rejects them).
  const onTag = fc
    .record({ from: stage, to: stage, tag: fc.constantFrom(...TAGS) })
    .filter((t) => t.from < t.to)
    .map((t): TransitionDefinition => ({ from: `s${t.from}`, to: `s${t.to}`, tag: t.tag }));
  return fc
    .tuple(fc.array(onEvent, { maxLength: 5 }), fc.array(onSilence, { maxLength: 2 }), fc.array(onTag, { maxLength: 2 }))
    .map(([a, b, c]) => [...a, ...b, ...c]);
}

const tagRulesArb: fc.Arbitrary<TagRuleDefinition[]> = fc.array(
  fc
    .record(
      {
        tag: fc.constantFrom(...TAGS),
        on: oneOrManyEvents,
        count: fc.integer({ min: 1, max: 3 }),
        within: fc.constantFrom("1d", "7d"),
        action: fc.constantFrom("add" as const, "remove" as const),
      },
      { requiredKeys: ["tag", "on"] },
    )
    .map((r) => clean(r)),
  { maxLength: 3 },
);

/** Marks stages no transition reaches as manual (validation requires it). */
function markManual(def: JourneyDefinition): JourneyDefinition {
  const reached = new Set([def.entry]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of def.transitions ?? []) {
      const from = Array.isArray(t.from) ? t.from : [t.from];
      if (!reached.has(t.to) && (from.includes("*") || from.some((f) => reached.has(f)))) {
        reached.add(t.to);
        changed = true;
      }
    }
  }
  return { ...def, stages: def.stages.map((s) => (reached.has(s.id) ? s : { ...s, manual: true })) };
}

/** A valid journey definition with 2–4 stages (entry "s0"). */
export function journeyArb(knobs: Knobs = {}): fc.Arbitrary<JourneyDefinition> {
  const k = { ...DEFAULT_KNOBS, ...knobs };
  return fc
    .integer({ min: 2, max: 4 })
    .chain((n) =>
      fc.record({
        timezone: fc.constantFrom(...ZONES),
        stages: fc.tuple(...[...Array(n).keys()].map((i) => stageArb(i, k))),
        transitions: k.transitions ? transitionsArb(n) : fc.constant<TransitionDefinition[]>([]),
        tagRules: k.transitions ? tagRulesArb : fc.constant<TagRuleDefinition[]>([]),
        window: k.windows ? opt(windowArb, 4) : fc.constant(undefined),
        quietHours: k.windows ? opt(quietArb, 4) : fc.constant(undefined),
        frequencyCap: k.caps !== "none" ? opt(capArb, 3) : fc.constant(undefined),
        expireAfter: k.expire ? opt(expireArb, 2) : fc.constant(undefined),
      }),
    )
    .map((r) =>
      markManual(
        clean<JourneyDefinition>({
          id: "pj",
          version: 1,
          timezone: r.timezone,
          entry: "s0",
          stages: r.stages,
          transitions: r.transitions.length ? r.transitions : undefined,
          tagRules: r.tagRules.length ? r.tagRules : undefined,
          window: r.window,
          quietHours: r.quietHours,
          frequencyCap: r.frequencyCap,
          expireAfter: r.expireAfter,
        }),
      ),
    )
    .filter((def) => validateJourney(def).length === 0);
}

// ---------------------------------------------------------------- customers and inputs

export const customerArb: fc.Arbitrary<Customer> = fc
  .record({
    timezone: opt(fc.constantFrom(...ZONES), 4),
    role: opt(fc.constantFrom("boss", "staff", "other"), 3),
    assignee: opt(fc.constantFrom("staff-a", "staff-b"), 2),
  })
  .map((r) => clean<Customer>({ id: "cust-1", timezone: r.timezone, attributes: r.role ? { role: r.role } : undefined, assignee: r.assignee }));

/** The event names a journey reacts to, plus one it ignores. */
export function vocabulary(def: JourneyDefinition): string[] {
  const names = new Set<string>();
  const add = (v: string | string[] | undefined) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).forEach((x) => names.add(x)));
  for (const t of def.transitions ?? []) add(t.on);
  for (const r of def.tagRules ?? []) add(r.on);
  for (const s of def.stages) for (const step of s.sop ?? []) {
    for (const u of step.unless === undefined ? [] : Array.isArray(step.unless) ? step.unless : [step.unless]) add(typeof u === "string" ? u : u.event);
    add(step.waitFor?.event);
  }
  return [...names, "noise"];
}

export type TimedInput = Exclude<JourneyInput, { type: "tick" }> & { at: string };

export interface Case {
  definition: JourneyDefinition;
  customer: Customer;
  /** Enrollment instant (ISO). */
  start: string;
  /** Events, manual moves and assignments in ascending time order (whole minutes, ISO). */
  inputs: TimedInput[];
  /** The end of the history (ISO), ≥ 30 days after the last input. */
  end: string;
}

/** Gaps between inputs: bursts (0–5 min), hours, days. */
const gapArb = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }) },
  { weight: 3, arbitrary: fc.integer({ min: 6, max: 24 * 60 }) },
  { weight: 3, arbitrary: fc.integer({ min: 24 * 60, max: 12 * 24 * 60 }) },
);

export function inputsArb(def: JourneyDefinition, startMs: number, opts: { moves?: boolean; maxLength?: number } = {}): fc.Arbitrary<TimedInput[]> {
  const names = vocabulary(def);
  const stages = def.stages.map((s) => s.id);
  const item = fc.record({
    gap: gapArb,
    kind: fc.oneof(
      { weight: 8, arbitrary: fc.constant("event" as const) },
      { weight: opts.moves === false ? 0 : 1, arbitrary: fc.constant("move" as const) },
      { weight: 1, arbitrary: fc.constant("assign" as const) },
    ),
    name: fc.constantFrom(...names),
    to: fc.constantFrom(...stages),
    assignee: fc.constantFrom("staff-a", "staff-b", null),
  });
  return fc.array(item, { maxLength: opts.maxLength ?? 20 }).map((items) => {
    let t = startMs;
    const out: TimedInput[] = [];
    items.forEach((it, i) => {
      t += it.gap * MINUTE_MS;
      if (t > startMs + 90 * DAY_MS) return;
      const at = new Date(t).toISOString();
      if (it.kind === "event") out.push({ type: "event", id: `e${i}`, name: it.name, at });
      else if (it.kind === "move") out.push({ type: "move", to: it.to, at, by: "board" });
      else out.push({ type: "assign", assignee: it.assignee, at });
    });
    return out;
  });
}

/** A start instant: one of {@link STARTS} plus up to 10 days, on a whole minute. */
export const startArb: fc.Arbitrary<number> = fc
  .tuple(fc.constantFrom(...STARTS), fc.integer({ min: 0, max: 10 * 24 * 60 - 1 }))
  .map(([s, m]) => Date.parse(s) + m * MINUTE_MS);

export function caseArb(knobs: Knobs = {}, opts: { moves?: boolean; maxInputs?: number } = {}): fc.Arbitrary<Case> {
  return fc.record({ definition: journeyArb(knobs), customer: customerArb, startMs: startArb }).chain(({ definition, customer, startMs }) =>
    inputsArb(definition, startMs, { ...(opts.moves !== undefined ? { moves: opts.moves } : {}), maxLength: opts.maxInputs ?? 20 }).map((inputs) => {
      const last = inputs.length ? Date.parse(inputs[inputs.length - 1]!.at) : startMs;
      const end = Math.max(startMs + 60 * DAY_MS, last + 30 * DAY_MS);
      return { definition, customer, start: new Date(startMs).toISOString(), inputs, end: new Date(end).toISOString() };
    }),
  );
}

/**
 * Tick patterns: every N minutes (a polling scheduler), exactly at every nextWakeAt() ("punctual"),
 * or only at events and once at the end ("sparse"). `minEvery` bounds the cost of dense ticking.
 */
export type TickPattern = { every: number } | "sparse" | "punctual";
export function tickPatternArb(minEvery = 15): fc.Arbitrary<TickPattern> {
  return fc.oneof(
    fc.constantFrom<TickPattern>("sparse", "punctual", { every: Math.max(17, minEvery) }, { every: 60 }),
    fc.integer({ min: minEvery, max: 24 * 60 }).map((every) => ({ every })),
  );
}
