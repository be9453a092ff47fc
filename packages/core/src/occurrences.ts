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
  // A dated campaign step is one instant for everyone, in the journey's zone.
  if (step.timing === "date") return nextHoliday(step, step.fixedClock!, anchor, last);
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
  const { every, times } = step.repeat!;
  const { first, end } = repeatWindow(step, clock, anchor);
  // The first occurrence is clamped to the anchor like a single step; later ones before it never happened.
  const firstBaseClamped = Math.max(first, anchor);
  if (last === undefined || firstBaseClamped > last) return first > end ? null : { base: firstBaseClamped, label: "1" };
  // Otherwise the next is the first k ≥ 1 at or after the anchor and after `last`. Occurrence times
  // grow with k, so it is found by doubling then halving: O(log k) instead of walking every
  // occurrence since the first, which made each tick of a long repeat cost its whole history.
  const raw = (k: number) => clock.add(first, every, k);
  const pending = (t: number) => t >= anchor && t > last;
  const maxK = times === undefined ? Infinity : times - 1;
  let lo = 0; // raw(lo) is not pending
  let hi = 1;
  for (;;) {
    if (hi > maxK) {
      if (lo >= maxK || !pending(raw(maxK))) return null;
      hi = maxK;
      break;
    }
    const t = raw(hi);
    if (pending(t)) break;
    // Past the end of the window (or of the calendar) and still not pending: none is.
    if (!(t <= end)) return null;
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (pending(raw(mid))) hi = mid;
    else lo = mid;
  }
  const base = raw(hi);
  return base > end ? null : { base, label: String(hi + 1) };
}

/**
 * The first occurrence and the end of the `for` window, remembered per step for the last anchor
 * and zone: a month-based window is a Luxon computation, asked again at every occurrence.
 */
function repeatWindow(step: CompiledStep, clock: ZoneClock, anchor: number): { first: number; end: number } {
  const memo = step.repeatMemo;
  if (memo && memo.anchor === anchor && memo.clock === clock) return memo;
  const first = firstBase(step, clock, anchor);
  const span = step.repeat!.for;
  const fresh = { anchor, clock, first, end: span ? clock.add(first, span) : Infinity };
  step.repeatMemo = fresh;
  return fresh;
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
