import type { CompiledStep } from "./compile.js";
import type { Draft } from "./state.js";
import { ZoneClock } from "./zone.js";

/** One scheduled occurrence of a step, before send windows and caps. */
export interface Occurrence {
  /** Scheduled instant (ms). */
  base: number;
  /** Key suffix part for recurring / calendar steps: "1", "2"… / a year / a date. */
  label?: string;
}

const YEAR_LIMIT = 200;

/**
 * The next occurrence of a step that has not been handled in this visit, or null.
 * `anchor` is the start of the step's SOP segment (stage entry, or when a wait ended).
 */
export function nextOccurrence(step: CompiledStep, s: Draft, clock: ZoneClock, anchor: number): Occurrence | null {
  if (!step.multi) {
    if (s.done.includes(step.id)) return null;
    const { day, tod } = clock.wall(anchor);
    return { base: singleBase(step, clock, anchor, day, tod) };
  }
  const last = s.last[step.id];
  if (step.timing === "birthday") return nextBirthday(step, s, clock, anchor, last);
  if (step.timing === "holiday") return nextHoliday(step, clock, anchor, last);
  return nextRepeat(step, clock, anchor, last);
}

/**
 * When a single (non-recurring) step is scheduled, given its segment's anchor and the anchor's
 * wall-clock day and time (passed in so a scan over many steps reads the wall clock once).
 */
export function singleBase(step: CompiledStep, clock: ZoneClock, anchor: number, anchorDay: number, anchorTod: number): number {
  const first = step.timing === "after" ? clock.add(anchor, step.after!) : clock.instant(anchorDay + step.day!, step.tod ?? anchorTod);
  // A step whose time on the entry day has already passed is due at entry, not lost.
  return Math.max(first, anchor);
}

function firstBase(step: CompiledStep, clock: ZoneClock, anchor: number): number {
  if (step.timing === "after") return clock.add(anchor, step.after!);
  const { day, tod } = clock.wall(anchor);
  return clock.instant(day + step.day!, step.tod ?? tod);
}

function nextRepeat(step: CompiledStep, clock: ZoneClock, anchor: number, last: number | undefined): Occurrence | null {
  const { every, times, for: span } = step.repeat!;
  const first = firstBase(step, clock, anchor);
  const end = span ? clock.add(first, span) : Infinity;
  for (let k = 0; times === undefined || k < times; k++) {
    const raw = clock.add(first, every, k);
    if (raw > end) return null;
    // The first occurrence is clamped to the anchor like a single step; later ones before it never happened.
    const base = k === 0 ? Math.max(raw, anchor) : raw;
    if (k > 0 && raw < anchor) continue;
    if (last === undefined || base > last) return { base, label: String(k + 1) };
  }
  return null;
}

function nextBirthday(step: CompiledStep, s: Draft, clock: ZoneClock, anchor: number, last: number | undefined): Occurrence | null {
  if (!s.birthday) return null;
  const [month, dayOfMonth] = s.birthday.split("-");
  const startYear = Number(ZoneClock.isoDate(clock.wall(anchor).day).slice(0, 4));
  for (let year = startYear; year < startYear + YEAR_LIMIT; year++) {
    let date = `${year}-${month}-${dayOfMonth}`;
    // 29 February falls on the 28th in common years.
    if (month === "02" && dayOfMonth === "29" && !isLeap(year)) date = `${year}-02-28`;
    const base = clock.instant(ZoneClock.dayOf(date), step.tod!);
    if (base >= anchor && (last === undefined || base > last)) return { base, label: String(year) };
  }
  return null;
}

function nextHoliday(step: CompiledStep, clock: ZoneClock, anchor: number, last: number | undefined): Occurrence | null {
  for (const day of step.holidayDays ?? []) {
    const base = clock.instant(day, step.tod!);
    if (base >= anchor && (last === undefined || base > last)) return { base, label: ZoneClock.isoDate(day) };
  }
  return null;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
