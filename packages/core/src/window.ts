import { clockMinutes } from "./clock-time.js";
import type { TimeRange, WindowDefinition } from "./schema.js";
import { MINUTE_MS, ZoneClock } from "./zone.js";

/** A daily time range in minutes after midnight; `to <= from` runs past midnight. */
export interface Range {
  from: number;
  to: number;
  /** Bit i set = ISO weekday i (1 = Monday) applies; 0b11111110 = every day; WORK_BIT / OFF_BIT = official working days / days off. */
  days: number;
}

/** Official working days as day numbers: weekend days that are worked (调休) and weekdays that are off. */
export interface WorkCalendar {
  on: ReadonlySet<number>;
  off: ReadonlySet<number>;
}

/** Where a touch may be sent: open ranges (null = any time) minus quiet ranges. */
export interface SendWindow {
  open: Range[] | null;
  quiet: Range[];
  /** Minutes of the day at which the window can open: range starts and quiet-hour ends. */
  starts: number[];
  /** The working-day calendar, when a range names workdays / offdays. */
  workdays?: WorkCalendar;
  /** Days ahead to look for an opening: a week, or longer past a run of days off (Spring Festival). */
  horizon: number;
}

const EVERY_DAY = 0b11111110;
const WORK_BIT = 1;
const OFF_BIT = 1 << 8;
const DAY_BITS: Record<string, number> = {
  mon: 1 << 1, tue: 1 << 2, wed: 1 << 3, thu: 1 << 4, fri: 1 << 5, sat: 1 << 6, sun: 1 << 7,
  weekdays: 0b00111110, weekend: 0b11000000, workdays: WORK_BIT, offdays: OFF_BIT,
};

/** The calendar of JourneyOptions.workdays as day-number sets (undefined when none is given). */
export function compileWorkdays(def: { on?: string[]; off?: string[] } | undefined): WorkCalendar | undefined {
  if (!def) return undefined;
  return { on: new Set((def.on ?? []).map(ZoneClock.dayOf)), off: new Set((def.off ?? []).map(ZoneClock.dayOf)) };
}

/** The day bits a range is matched against: the weekday's and whether it is a working day. */
export function dayMask(calendar: WorkCalendar | undefined, day: number, weekday: number): number {
  const worked = calendar?.on.has(day) ? true : calendar?.off.has(day) ? false : weekday <= 5;
  return (1 << weekday) | (worked ? WORK_BIT : OFF_BIT);
}

export function compileRange(r: TimeRange): Range {
  const days = r.days ? r.days.reduce((bits, d) => bits | (DAY_BITS[d] ?? 0), 0) : EVERY_DAY;
  return { from: clockMinutes(r.from), to: clockMinutes(r.to), days };
}

const ranges = (v: TimeRange | TimeRange[]): Range[] => (Array.isArray(v) ? v : [v]).map(compileRange);

/** Resolves a window definition for one customer (per-audience windows pick by attribute). */
export function resolveOpen(def: WindowDefinition | undefined, attrs: Record<string, string> | undefined): Range[] | null {
  if (def === undefined) return null;
  if (Array.isArray(def) || "from" in def) return ranges(def as TimeRange | TimeRange[]);
  const value = attrs?.[def.byAttribute];
  const picked = value !== undefined ? def.cases[value] : undefined;
  const chosen = picked ?? def.default;
  return chosen === undefined ? null : ranges(chosen);
}

export function sendWindow(open: Range[] | null, quiet: Range[], workdays?: WorkCalendar): SendWindow {
  const byCalendar = [...(open ?? []), ...quiet].some((r) => (r.days & (WORK_BIT | OFF_BIT)) !== 0);
  return {
    open,
    quiet,
    starts: [...(open ?? [{ from: 0, to: 0, days: EVERY_DAY }]).map((r) => r.from), ...quiet.map((r) => r.to)],
    ...(byCalendar && workdays ? { workdays } : {}),
    // The longest run of official days off (Spring Festival with its weekends) is under a month.
    horizon: byCalendar ? 40 : 8,
  };
}

export function compileQuiet(def: TimeRange | TimeRange[] | undefined): Range[] {
  return def === undefined ? [] : ranges(def);
}

/** `mask` / `prev`: the day bits (see dayMask) of the day and of the day before. */
function inRange(r: Range, mask: number, prev: number, minute: number): boolean {
  if (r.from < r.to) return (r.days & mask) !== 0 && minute >= r.from && minute < r.to;
  return ((r.days & mask) !== 0 && minute >= r.from) || ((r.days & prev) !== 0 && minute < r.to);
}

/** Whether a minute of a day is open for sending, given the day bits of the day and the day before. */
export function isOpenAt(w: SendWindow, mask: number, prev: number, minute: number): boolean {
  // Index loops rather than some(): this runs for every candidate opening, without a closure each.
  const open = w.open;
  if (open !== null) {
    let inside = false;
    for (let i = 0; i < open.length && !inside; i++) inside = inRange(open[i]!, mask, prev, minute);
    if (!inside) return false;
  }
  for (let i = 0; i < w.quiet.length; i++) if (inRange(w.quiet[i]!, mask, prev, minute)) return false;
  return true;
}

/** Whether a wall-clock day + minute is open for sending. */
function isOpenOn(clock: ZoneClock, w: SendWindow, day: number, minute: number): boolean {
  const weekday = clock.weekday(day);
  return isOpenAt(w, dayMask(w.workdays, day, weekday), dayMask(w.workdays, day - 1, weekday === 1 ? 7 : weekday - 1), minute);
}

/**
 * The first instant at or after `ts` inside the window, or null if it never opens. Openness is
 * decided on the customer's wall clock; the earliest opening is either `ts` itself or a moment
 * where a range starts or quiet hours end, so only those candidates are checked.
 */
export function nextOpening(clock: ZoneClock, ts: number, w: SendWindow): number | null {
  if (w.open === null && w.quiet.length === 0) return ts;
  const { day, tod } = clock.wall(ts);
  if (isOpenOn(clock, w, day, Math.floor(tod / MINUTE_MS))) return ts;
  let best: number | null = null;
  for (let d = day; d <= day + w.horizon; d++) {
    if (best !== null && clock.instant(d, 0) > best) break;
    for (let i = 0; i < w.starts.length; i++) {
      const start = w.starts[i]! * MINUTE_MS;
      // A start inside a spring-forward gap opens when the gap ends.
      const gapEnd = clock.gapEnd(d, start);
      if (gapEnd !== null) best = earlierOpening(clock, w, gapEnd, ts, best);
      best = earlierOpening(clock, w, clock.instant(d, start), ts, best);
    }
  }
  return best;
}

/** `at` when it is after `ts`, before `best` and open; otherwise `best`. */
function earlierOpening(clock: ZoneClock, w: SendWindow, at: number, ts: number, best: number | null): number | null {
  if (at <= ts || (best !== null && at >= best)) return best;
  const wall = clock.wall(at);
  return isOpenOn(clock, w, wall.day, Math.floor(wall.tod / MINUTE_MS)) ? at : best;
}

/** Minutes a week the window is open (for validation: 0 means a step could never be sent). */
export function openMinutesInWeek(def: WindowDefinition | undefined, quiet: TimeRange | TimeRange[] | undefined): number {
  const quietRanges = compileQuiet(quiet);
  const variants: Array<Range[] | null> = [];
  if (def !== undefined && !Array.isArray(def) && !("from" in def)) {
    for (const value of Object.values(def.cases)) variants.push(ranges(value));
    variants.push(def.default ? ranges(def.default) : null);
  } else {
    variants.push(resolveOpen(def, undefined));
  }
  let least = Infinity;
  for (const open of variants) {
    const window = sendWindow(open, quietRanges);
    let minutes = 0;
    // A usual week: Monday–Friday worked.
    for (let weekday = 1; weekday <= 7; weekday++) {
      const mask = dayMask(undefined, 0, weekday);
      const prev = dayMask(undefined, 0, weekday === 1 ? 7 : weekday - 1);
      for (let m = 0; m < 1440; m++) if (isOpenAt(window, mask, prev, m)) minutes++;
    }
    least = Math.min(least, minutes);
  }
  return least;
}
