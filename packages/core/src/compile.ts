import { clockMinutes } from "./clock-time.js";
import { DoneLists } from "./done-lists.js";
import { type Span, approxMs, span } from "./duration.js";
import type { Channel, DeliveryPath, JourneyDefinition, StepDefinition, TimeRange, WindowDefinition } from "./schema.js";
import type { JourneyOptions } from "./validate.js";
import { type Range, type SendWindow, type WorkCalendar, compileQuiet, compileWorkdays, resolveOpen, sendWindow } from "./window.js";
import { type DataTest, compileWhere } from "./where.js";
import { DAY_MS, MINUTE_MS, ZoneClock } from "./zone.js";

// A validated definition turned into lookup-friendly structures, once per defineJourney().

export interface CompiledCap {
  max: number;
  per: Span;
  modes: ReadonlySet<"auto" | "task">;
}

export interface CompiledStep {
  id: string;
  index: number;
  /** SOP segment: steps after the n-th waiting step belong to segment n and start when it ends. */
  segment: number;
  channel: Channel;
  content: string;
  mode: "auto" | "task";
  /** Counts against a workspace's marketing cap (see Journey.touchPlan). */
  kind: "marketing" | "service";
  priority: number;
  delivery?: DeliveryPath;
  assignee?: string;
  title?: string;
  timing: "after" | "day" | "birthday" | "holiday" | "date";
  after?: Span;
  day?: number;
  /** Time of day in ms, for day / birthday / holiday / date steps. */
  tod?: number;
  repeat?: { every: Span; times?: number; for?: Span };
  /** The last repeat window computed (see occurrences.ts): a cache, not part of the definition. */
  repeatMemo?: { anchor: number; clock: ZoneClock; first: number; end: number };
  /** Calendar steps (holiday, date): the day numbers they fall on, ascending. */
  holidayDays?: number[];
  /** Dated steps: the journey's zone, so every customer gets the same instant whatever their own zone. */
  fixedClock?: ZoneClock;
  multi: boolean;
  /** For single steps: a lower bound of (scheduled time − anchor), so a scan can pass over far steps without computing them. */
  earliest: number;
  /** Event names, or markers (see `unlessWhere`) of `{ event, where }` conditions. */
  unless: string[];
  wait?: { events: string[]; where?: DataTest; timeout: Span; alternatives: Array<{ content: string; channel: Channel; mode: "auto" | "task"; delivery?: DeliveryPath }>; stay: boolean };
  expire?: Span;
  cap?: CompiledCap;
  window: (attrs: Record<string, string> | undefined) => SendWindow;
}

export interface CompiledTransition {
  index: number;
  to: string;
  on?: string[];
  /** Event transitions: the event's data must pass this too. */
  where?: DataTest;
  tag?: string;
  silentFor?: Span;
  /** The events whose absence `silentFor` counts (undefined: any customer event). */
  of?: string[];
}

export interface CompiledStage {
  id: string;
  steps: CompiledStep[];
  /** Step id → index in `steps`. */
  indexOf: Map<string, number>;
  /** Recurring and calendar steps. */
  multis: CompiledStep[];
  /** Single steps per SOP segment, by `earliest` (then SOP order): a scan can stop at the first too far off. */
  singles: CompiledStep[][];
  /** No frequency cap applies to any single step, so their times depend only on their anchor. */
  uncappedSingles: boolean;
  addTags: string[];
  removeTags: string[];
  /** Event transitions per event name in definition order: the first whose `where` passes wins. */
  onEvent: Map<string, CompiledTransition[]>;
  onTag: CompiledTransition[];
  /** `unless: { event, where }` of this stage's steps, per event name: a matching event adds `marker` to the visit's `seen`. */
  unlessWhere: Map<string, Array<{ marker: string; where: DataTest }>>;
  onSilence: CompiledTransition[];
}

export interface TagRule {
  tag: string;
  /** The event's data must pass this. */
  where?: DataTest;
  /** Key of the event times this rule counts: the event name, or name + rule for a rule with `where` (it counts matching events only). */
  counter: string;
  count: number;
  within?: Span;
  remove: boolean;
}

export interface CompiledJourney {
  id: string;
  version: number;
  entry: string;
  zone: ZoneClock;
  stages: Map<string, CompiledStage>;
  tagRules: Map<string, TagRule[]>;
  /** Per counter (event name, or name + rule for rules with `where`): how many recent times to keep and for how long (for counted tag rules). */
  counted: Map<string, { keep: number; within?: Span }>;
  /** Event names some `silentFor … of` transition watches: their last times are kept in the state. */
  watched: Set<string>;
  /** Customer attributes the journey reads. */
  attributes: string[];
  /** How many recent capped touches to remember: the largest `max` of any cap. */
  capHistory: number;
  /** `done` lists shared between this journey's states. */
  doneLists: DoneLists;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function compileCap(cap: JourneyDefinition["frequencyCap"]): CompiledCap | undefined {
  if (!cap) return undefined;
  return { max: cap.max, per: span(cap.per), modes: new Set(cap.modes ?? ["auto"]) };
}

function windowResolver(def: WindowDefinition | undefined, quiet: TimeRange | TimeRange[] | undefined, workdays: WorkCalendar | undefined) {
  const quietRanges: Range[] = compileQuiet(quiet);
  const fixed: SendWindow | undefined =
    def === undefined || Array.isArray(def) || "from" in def ? sendWindow(resolveOpen(def, undefined), quietRanges, workdays) : undefined;
  if (fixed) return () => fixed;
  const byValue = new Map<string, SendWindow>();
  const attribute = (def as { byAttribute: string }).byAttribute;
  return (attrs: Record<string, string> | undefined) => {
    const key = attrs?.[attribute] ?? "";
    let w = byValue.get(key);
    if (!w) {
      w = sendWindow(resolveOpen(def, attrs), quietRanges, workdays);
      byValue.set(key, w);
    }
    return w;
  };
}

function compileStep(
  step: StepDefinition,
  index: number,
  segment: number,
  levels: { window?: WindowDefinition; quietHours?: TimeRange | TimeRange[]; expireAfter?: string | number; cap?: CompiledCap },
  options: JourneyOptions,
  zone: ZoneClock,
  workdays: WorkCalendar | undefined,
): CompiledStep {
  const timing = step.after !== undefined ? "after" : step.day !== undefined ? "day" : step.birthday ? "birthday" : step.date !== undefined ? "date" : "holiday";
  const mode = step.mode ?? "auto";
  const expire = step.expireAfter ?? levels.expireAfter;
  const at = step.at ?? (timing === "birthday" || timing === "holiday" || timing === "date" ? "09:00" : undefined);
  return {
    id: step.id,
    index,
    segment,
    channel: step.channel,
    content: step.content,
    mode,
    kind: step.kind ?? "marketing",
    priority: step.priority ?? DEFAULT_PRIORITY,
    ...(step.delivery ? { delivery: step.delivery } : {}),
    ...(step.assignee ? { assignee: step.assignee } : {}),
    ...(step.title ? { title: step.title } : {}),
    timing,
    ...(step.after !== undefined ? { after: span(step.after) } : {}),
    ...(step.day !== undefined ? { day: step.day } : {}),
    ...(at !== undefined ? { tod: clockMinutes(at) * MINUTE_MS } : {}),
    ...(step.repeat
      ? {
          repeat: {
            every: span(step.repeat.every),
            ...(step.repeat.times !== undefined ? { times: step.repeat.times } : {}),
            ...(step.repeat.for !== undefined ? { for: span(step.repeat.for) } : {}),
          },
        }
      : {}),
    ...(step.holiday ? { holidayDays: [...new Set((options.holidays?.[step.holiday] ?? []).map(ZoneClock.dayOf))].sort((a, b) => a - b) } : {}),
    ...(step.date !== undefined ? { holidayDays: [ZoneClock.dayOf(step.date)], fixedClock: zone } : {}),
    multi: step.repeat !== undefined || timing === "birthday" || timing === "holiday" || timing === "date",
    earliest: earliestAfterAnchor(step),
    unless: list(step.unless).map((u, k) => (typeof u === "string" ? u : unlessMarker(u.event, step.id, k))),
    ...(step.waitFor
      ? {
          wait: {
            events: list(step.waitFor.event),
            ...(step.waitFor.where ? { where: compileWhere(step.waitFor.where) } : {}),
            timeout: span(step.waitFor.timeout),
            alternatives: (step.waitFor.alternatives ?? []).map((a) => {
              const channel = a.channel ?? step.channel;
              // an alternative on the step's channel takes the step's delivery path unless it names its own
              const delivery = a.delivery ?? (channel === step.channel ? step.delivery : undefined);
              return { content: a.content, channel, mode: a.mode ?? mode, ...(delivery ? { delivery } : {}) };
            }),
            stay: step.waitFor.onTimeout === "stay",
          },
        }
      : {}),
    ...(expire !== undefined ? { expire: span(expire) } : {}),
    ...(levels.cap ? { cap: levels.cap } : {}),
    window: windowResolver(step.window ?? levels.window, step.quietHours ?? levels.quietHours, workdays),
  };
}

/** What `seen` records when an event passes a step's `unless: { event, where }` (shown in skip details). */
export const unlessMarker = (event: string, stepId: string, k: number) => `${event} (${stepId}.unless[${k}] where)`;

/** A step's priority when it gives none. */
export const DEFAULT_PRIORITY = 50;

// Wall-clock days can be shorter than 24 h by a UTC offset change (DST, or a zone moving across the
// date line): two days cover any such change on record.
const OFFSET_CHANGE_DAYS = 2;

/**
 * A lower bound of how long after its anchor a single step is scheduled, whatever the time zone:
 * `day: N` is at least N − 1 wall-clock days after the anchor's time of day, `after` at least its
 * exact part plus its calendar part counted in short months; either less the largest offset change.
 */
function earliestAfterAnchor(step: StepDefinition): number {
  let days = 0;
  let ms = 0;
  if (step.after !== undefined) {
    const s = span(step.after);
    days = s.months * 28 + s.days;
    ms = s.ms;
  } else if (step.day !== undefined) {
    days = step.day - 1;
  }
  return ms + Math.max(0, days - OFFSET_CHANGE_DAYS) * DAY_MS;
}

/** Compiles a definition that {@link assertValidJourney} accepted. */
export function compileJourney(def: JourneyDefinition, options: JourneyOptions): CompiledJourney {
  const journeyCap = compileCap(def.frequencyCap);
  const zone = ZoneClock.of(def.timezone);
  const workdays = compileWorkdays(options.workdays);
  const stages = new Map<string, CompiledStage>();
  const attributes = new Set<string>();
  const noteAttribute = (w: WindowDefinition | undefined) => {
    if (w && !Array.isArray(w) && !("from" in w)) attributes.add(w.byAttribute);
  };
  noteAttribute(def.window);
  for (const stage of def.stages) {
    noteAttribute(stage.window);
    let segment = 0;
    const steps = (stage.sop ?? []).map((step, index) => {
      noteAttribute(step.window);
      const compiled = compileStep(
        step,
        index,
        segment,
        {
          window: stage.window ?? def.window,
          quietHours: stage.quietHours ?? def.quietHours,
          expireAfter: stage.expireAfter ?? def.expireAfter,
          cap: compileCap(stage.frequencyCap) ?? journeyCap,
        },
        options,
        zone,
        workdays,
      );
      if (step.waitFor) segment++;
      return compiled;
    });
    const singles = Array.from({ length: segment + 1 }, (_, g) =>
      steps.filter((step) => !step.multi && step.segment === g).sort((a, b) => a.earliest - b.earliest || a.index - b.index),
    );
    stages.set(stage.id, {
      id: stage.id,
      steps,
      indexOf: new Map(steps.map((step) => [step.id, step.index])),
      multis: steps.filter((step) => step.multi),
      singles,
      uncappedSingles: steps.every((step) => step.multi || !step.cap || !step.cap.modes.has(step.mode)),
      addTags: stage.onEnter?.addTags ?? [],
      removeTags: stage.onEnter?.removeTags ?? [],
      onEvent: new Map(),
      onTag: [],
      onSilence: [],
      unlessWhere: unlessConditions(stage.sop ?? []),
    });
  }
  const watched = new Set<string>();
  (def.transitions ?? []).forEach((t, index) => {
    const from = list(t.from);
    const compiled: CompiledTransition = {
      index,
      to: t.to,
      ...(t.on !== undefined ? { on: list(t.on) } : {}),
      ...(t.where !== undefined ? { where: compileWhere(t.where) } : {}),
      ...(t.tag !== undefined ? { tag: t.tag } : {}),
      ...(t.silentFor !== undefined ? { silentFor: span(t.silentFor) } : {}),
      ...(t.of !== undefined ? { of: [...new Set(t.of)] } : {}),
    };
    for (const name of compiled.of ?? []) watched.add(name);
    for (const stage of stages.values()) {
      if (stage.id === t.to || !(from.includes("*") || from.includes(stage.id))) continue;
      if (compiled.on) for (const name of compiled.on) stage.onEvent.set(name, [...(stage.onEvent.get(name) ?? []), compiled]);
      if (compiled.tag) stage.onTag.push(compiled);
      if (compiled.silentFor) stage.onSilence.push(compiled);
    }
  });
  const tagRules = new Map<string, TagRule[]>();
  const counted = new Map<string, { keep: number; within?: Span }>();
  (def.tagRules ?? []).forEach((rule, index) => {
    const where = rule.where ? compileWhere(rule.where) : undefined;
    for (const name of list(rule.on)) {
      // A rule with `where` counts only the events it matches, under a key of its own.
      const counter = where ? `${name}?tagRules[${index}]` : name;
      const compiled: TagRule = { tag: rule.tag, counter, count: rule.count ?? 1, remove: rule.action === "remove", ...(rule.within ? { within: span(rule.within) } : {}), ...(where ? { where } : {}) };
      tagRules.set(name, [...(tagRules.get(name) ?? []), compiled]);
      if (compiled.count > 1) {
        // Keep enough history for the most demanding rule on this counter: the largest count, the longest period.
        const prev = counted.get(counter);
        const within = prev && !prev.within ? undefined : longer(prev?.within, compiled.within);
        counted.set(counter, { keep: Math.max(prev?.keep ?? 0, compiled.count), ...(within ? { within } : {}) });
      }
    }
  });
  const capHistory = Math.max(0, ...[def.frequencyCap, ...def.stages.map((s) => s.frequencyCap)].map((c) => c?.max ?? 0));
  return { id: def.id, version: def.version, entry: def.entry, zone, stages, tagRules, counted, watched, attributes: [...attributes], capHistory, doneLists: new DoneLists() };
}

function unlessConditions(sop: StepDefinition[]): CompiledStage["unlessWhere"] {
  const byName: CompiledStage["unlessWhere"] = new Map();
  for (const step of sop) {
    list(step.unless).forEach((u, k) => {
      if (typeof u === "string") return;
      byName.set(u.event, [...(byName.get(u.event) ?? []), { marker: unlessMarker(u.event, step.id, k), where: compileWhere(u.where) }]);
    });
  }
  return byName;
}

function longer(a: Span | undefined, b: Span | undefined): Span | undefined {
  if (!a || !b) return undefined;
  return approxMs(a) >= approxMs(b) ? a : b;
}
