import { parseDuration } from "./duration.js";
import { type DefinitionIssue, JourneyDefinitionError, formatPath } from "./errors.js";
import { MAX_REPEAT_OCCURRENCES, MAX_STEPS_PER_JOURNEY, MIN_OPEN_REPEAT_EVERY_MS, MIN_REPEAT_EVERY_MS, describeMs, lengthMs } from "./limits.js";
import { type JourneyDefinition, journeyDefinitionSchema } from "./schema.js";
import { openMinutesInWeek } from "./window.js";

/** Options that travel with a definition but are not part of it. */
export interface JourneyOptions {
  /** Holiday calendar as data: holiday name → dates ("yyyy-mm-dd"). Keeps the core pure. */
  holidays?: Record<string, string[]>;
  /**
   * Official working-day calendar as data, for the `workdays` / `offdays` tokens of send windows:
   * `on` = weekend dates that are working days (调休), `off` = weekday dates that are days off.
   * Other dates follow Monday–Friday.
   */
  workdays?: { on?: string[]; off?: string[] };
  /** How the calendar is named in errors (default "the calendar passed to defineJourney (options.holidays)"). */
  calendarName?: string;
}

/**
 * Checks a definition and returns every problem with its path (empty when valid):
 * the shape, durations, clock times and time zones, then cross-references — unknown stages,
 * duplicate ids, unreachable stages, tag transitions that could loop at one instant, windows
 * that never open, holidays missing from the calendar.
 */
export function validateJourney(input: unknown, options: JourneyOptions = {}): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const parsed = journeyDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues.flatMap(unwrapUnion)) issues.push({ path: formatPath(issue.path), message: issue.message });
  }
  // Cross-reference checks run on the raw input too, so one pass reports everything.
  if (input && typeof input === "object") crossCheck(input as Partial<JourneyDefinition>, options, issues);
  return issues;
}

/** Throws {@link JourneyDefinitionError} unless the definition is valid. */
export function assertValidJourney(input: unknown, options: JourneyOptions = {}): asserts input is JourneyDefinition {
  const issues = validateJourney(input, options);
  if (issues.length > 0) {
    const id = input && typeof input === "object" && typeof (input as { id?: unknown }).id === "string" ? (input as { id: string }).id : undefined;
    throw new JourneyDefinitionError(id, issues);
  }
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  errors?: ZodIssueLike[][];
}

/**
 * zod reports a value no option of a union accepts as "Invalid input". When only one option
 * accepts the value's type (an object where a name or an object is allowed), its issues say
 * what is wrong, at their own paths.
 */
function unwrapUnion(issue: ZodIssueLike): ZodIssueLike[] {
  if (issue.code !== "invalid_union" || !issue.errors) return [issue];
  const fitting = issue.errors.filter((errs) => !errs.some((e) => e.path.length === 0 && (e.code === "invalid_type" || e.code === "invalid_union")));
  if (fitting.length !== 1) return [issue];
  return fitting[0]!.flatMap((e) => unwrapUnion({ ...e, path: [...issue.path, ...e.path] }));
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});

function crossCheck(def: Partial<JourneyDefinition>, options: JourneyOptions, issues: DefinitionIssue[]): void {
  const add = (path: string, message: string) => issues.push({ path, message });
  const stages = arr(def.stages).map(rec);
  const stageIds = new Set<string>();
  stages.forEach((stage, i) => {
    if (typeof stage.id !== "string") return;
    if (stageIds.has(stage.id)) add(`stages[${i}].id`, `duplicate stage id "${stage.id}"`);
    stageIds.add(stage.id);
  });
  const known = (ref: unknown) => typeof ref === "string" && stageIds.has(ref);
  if (typeof def.entry === "string" && !known(def.entry)) add("entry", `unknown stage "${def.entry}" (stages: ${[...stageIds].join(", ")})`);

  stages.forEach((stage, i) => checkSop(stage, `stages[${i}]`, def, options, add));
  const steps = stages.reduce((n, stage) => n + arr(stage.sop).length, 0);
  if (steps > MAX_STEPS_PER_JOURNEY) add("stages", `${steps} steps in all is above the maximum of ${MAX_STEPS_PER_JOURNEY} per journey`);

  const transitions = arr(def.transitions).map(rec);
  transitions.forEach((t, i) => {
    const path = `transitions[${i}]`;
    for (const from of list(t.from as string | string[] | undefined)) {
      if (from !== "*" && !known(from)) add(`${path}.from`, `unknown stage "${from}"`);
    }
    if (t.to !== undefined && !known(t.to)) add(`${path}.to`, `unknown stage "${String(t.to)}"`);
    const triggers = ["on", "tag", "silentFor"].filter((k) => t[k] !== undefined);
    if (triggers.length !== 1) add(path, `a transition needs exactly one trigger of on / tag / silentFor, got ${triggers.length ? triggers.join(" + ") : "none"}`);
    if (t.where !== undefined && t.on === undefined) add(`${path}.where`, '"where" tests the data of the events named in "on": add on (e.g. on: "content.read")');
    if (t.of !== undefined && t.silentFor === undefined) add(`${path}.of`, '"of" names the events a silentFor transition watches: add silentFor (e.g. silentFor: "7d", of: ["app.login"])');
    if (list(t.from as string | string[] | undefined).includes(t.to as string)) {
      add(path, `a transition cannot lead "${String(t.to)}" to itself (a manual move restarts a stage)`);
    }
  });

  if (issues.length === 0) {
    checkReachable(def as JourneyDefinition, add);
    checkInstantLoops(def as JourneyDefinition, add);
  }
}

function checkSop(
  stage: Record<string, unknown>,
  path: string,
  def: Partial<JourneyDefinition>,
  options: JourneyOptions,
  add: (path: string, message: string) => void,
): void {
  const seen = new Set<string>();
  arr(stage.sop).map(rec).forEach((step, j) => {
    const at = `${path}.sop[${j}]`;
    if (typeof step.id === "string") {
      if (seen.has(step.id)) add(`${at}.id`, `duplicate step id "${step.id}" in stage "${String(stage.id)}"`);
      seen.add(step.id);
    }
    const timings = ["after", "day", "birthday", "holiday", "date"].filter((k) => step[k] !== undefined);
    if (timings.length !== 1) {
      add(at, `a step needs exactly one timing of after / day / birthday / holiday / date, got ${timings.length ? timings.join(" + ") : "none"}`);
    }
    if (step.at !== undefined && step.after !== undefined) add(`${at}.at`, '"at" goes with day / birthday / holiday / date, not with "after"');
    if (step.repeat !== undefined && (step.birthday !== undefined || step.holiday !== undefined)) {
      add(`${at}.repeat`, "birthday and holiday steps already recur; repeat goes with after / day");
    }
    if (step.repeat !== undefined && step.date !== undefined) add(`${at}.repeat`, "a dated step happens once, on its date; repeat goes with after / day");
    if (step.repeat !== undefined && step.waitFor !== undefined) add(`${at}.repeat`, "a waiting step cannot repeat");
    checkDeliveryPath(step, at, add);
    if (step.moments !== undefined && step.channel !== "moments") add(`${at}.moments`, `"moments" settings go with channel "moments", not "${String(step.channel)}"`);
    if (step.repeat !== undefined) checkRepeat(rec(step.repeat), `${at}.repeat`, add);
    if (typeof step.holiday === "string" && !Object.prototype.hasOwnProperty.call(options.holidays ?? {}, step.holiday)) {
      const names = Object.keys(options.holidays ?? {}).sort();
      const known = names.length > 0 ? ` (known: ${names.join(", ")})` : "";
      add(`${at}.holiday`, `holiday "${step.holiday}" is not in ${options.calendarName ?? "the calendar passed to defineJourney (options.holidays)"}${known}`);
    }
    const win = step.window ?? stage.window ?? def.window;
    const quiet = step.quietHours ?? stage.quietHours ?? def.quietHours;
    if (win !== undefined || quiet !== undefined) {
      try {
        if (openMinutesInWeek(win as never, quiet as never) === 0) add(at, "its send window and quiet hours leave no time in the week to send");
      } catch {
        // malformed windows are reported by the schema
      }
    }
  });
}

/** `delivery` is a private_chat path; a 群发助手 step is prepared by sopline, not a staff chat task. */
function checkDeliveryPath(step: Record<string, unknown>, path: string, add: (path: string, message: string) => void): void {
  if (step.delivery !== undefined && step.channel !== "private_chat") {
    add(`${path}.delivery`, `delivery goes with channel "private_chat" (this step is on "${String(step.channel)}")`);
  }
  if (step.delivery === "mass_send" && step.mode === "task") {
    add(`${path}.mode`, 'a delivery: "mass_send" step is a 群发助手 task sopline prepares and the staff member confirms: leave out mode (a chat task is mode: "task" with delivery "chat")');
  }
  arr(rec(step.waitFor).alternatives).map(rec).forEach((alt, k) => {
    const channel = alt.channel ?? step.channel;
    const at = `${path}.waitFor.alternatives[${k}]`;
    if (alt.delivery !== undefined && channel !== "private_chat") add(`${at}.delivery`, `delivery goes with channel "private_chat" (this alternative is on "${String(channel)}")`);
    const delivery = alt.delivery ?? (channel === step.channel ? step.delivery : undefined);
    if (delivery === "mass_send" && (alt.mode ?? step.mode) === "task") add(`${at}.mode`, 'a delivery: "mass_send" alternative cannot be a staff task: leave out mode');
  });
}

/** A repeat yields at most MAX_REPEAT_OCCURRENCES occurrences, or recurs open-ended no more than daily. */
function checkRepeat(repeat: Record<string, unknown>, path: string, add: (path: string, message: string) => void): void {
  const every = parseDuration(repeat.every);
  // Shapes and the minimum interval are the schema's to report.
  if (typeof every === "string" || lengthMs(every) < MIN_REPEAT_EVERY_MS || repeat.times !== undefined) return;
  const window = parseDuration(repeat.for);
  if (repeat.for === undefined) {
    if (lengthMs(every) < MIN_OPEN_REPEAT_EVERY_MS) {
      add(`${path}.every`, `${JSON.stringify(repeat.every)} without times or for repeats for as long as the stage lasts: it must be at least ${describeMs(MIN_OPEN_REPEAT_EVERY_MS)} apart (or add times, at most ${MAX_REPEAT_OCCURRENCES})`);
    }
  } else if (typeof window !== "string") {
    const occurrences = Math.floor(lengthMs(window) / lengthMs(every)) + 1;
    if (occurrences > MAX_REPEAT_OCCURRENCES) {
      add(`${path}.for`, `${JSON.stringify(repeat.for)} every ${JSON.stringify(repeat.every)} yields about ${occurrences.toLocaleString("en-US")} occurrences, above the maximum of ${MAX_REPEAT_OCCURRENCES} (repeat less often or for less long)`);
    }
  }
}

function checkReachable(def: JourneyDefinition, add: (path: string, message: string) => void): void {
  const reached = new Set<string>([def.entry]);
  const transitions = def.transitions ?? [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of transitions) {
      const from = list(t.from);
      if (!reached.has(t.to) && (from.includes("*") || from.some((f) => reached.has(f)))) {
        reached.add(t.to);
        changed = true;
      }
    }
  }
  def.stages.forEach((stage, i) => {
    if (!reached.has(stage.id) && !stage.manual) {
      add(`stages[${i}]`, `stage "${stage.id}" is unreachable: no transition leads to it from the entry stage "${def.entry}" (set manual: true if it is reached only by manual moves)`);
    }
  });
}

/**
 * Tag transitions fire as soon as the tag is present, so a cycle of them (new → hot → new …) could
 * move a customer forever at one instant. Event and silence transitions fire once per occurrence.
 */
function checkInstantLoops(def: JourneyDefinition, add: (path: string, message: string) => void): void {
  const stageIds = def.stages.map((s) => s.id);
  const edges = new Map<string, Array<{ to: string; index: number }>>();
  (def.transitions ?? []).forEach((t, index) => {
    if (t.tag === undefined) return;
    const from = list(t.from);
    for (const f of from.includes("*") ? stageIds : from) {
      if (f === t.to) continue;
      edges.set(f, [...(edges.get(f) ?? []), { to: t.to, index }]);
    }
  });
  // Depth-first search with the stages on the current path marked: an edge back onto the path closes
  // a loop. Each stage is explored once (listing every simple cycle instead took exponential time).
  const reported = new Set<string>();
  const finished = new Set<string>();
  const path: string[] = [];
  const via: number[] = [];
  const visit = (stage: string): void => {
    path.push(stage);
    for (const edge of edges.get(stage) ?? []) {
      const loopStart = path.indexOf(edge.to);
      if (loopStart >= 0) {
        const cycle = [...path.slice(loopStart), edge.to];
        const key = [...cycle].sort().join(",");
        if (!reported.has(key)) {
          reported.add(key);
          const indices = [...via.slice(loopStart), edge.index];
          add(`transitions[${indices[0]}]`, `tag transitions ${cycle.join(" → ")} could fire forever at one instant (transitions ${indices.join(", ")})`);
        }
      } else if (!finished.has(edge.to)) {
        via.push(edge.index);
        visit(edge.to);
        via.pop();
      }
    }
    path.pop();
    finished.add(stage);
  };
  for (const id of stageIds) if (!finished.has(id)) visit(id);
}
