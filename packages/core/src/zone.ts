import { DateTime, IANAZone } from "luxon";
import type { Span } from "./duration.js";
import { NumberMemo } from "./memo.js";

const DAY = 86_400_000;
const MINUTE = 60_000;
// Offsets are looked up per quarter hour: time zones change offset on quarter-hour boundaries (true of
// every rule since 1970), so one Luxon answer per bucket is exact and keeps the hot path cheap.
const BUCKET = 900_000;
// Memo sizes (entries, as powers of two): quarter hours cover ~170 days, days ~11 years.
const BUCKET_BITS = 14;
const DAY_BITS = 12;

/** A wall-clock position: the local calendar day (days since 1970-01-01) and the time of day in ms. */
export interface WallTime {
  day: number;
  tod: number;
}

/**
 * Calendar arithmetic in one IANA time zone. Every offset and every wall-clock → instant
 * conversion comes from Luxon (which reads the tz database through Intl); this class only
 * memoises those answers, because the scheduler asks the same questions millions of times.
 */
export class ZoneClock {
  private static readonly zones = new Map<string, ZoneClock>();
  private readonly offsets = new NumberMemo(BUCKET_BITS);
  private readonly instants = new NumberMemo(DAY_BITS);
  private readonly dayOffsets = new NumberMemo(DAY_BITS);
  private readonly zone: IANAZone;

  private constructor(readonly name: string) {
    this.zone = IANAZone.create(name);
  }

  /** The shared clock for a zone name; throws a TypeError naming the zone when it is not a valid IANA zone. */
  static of(name: string): ZoneClock {
    let clock = ZoneClock.zones.get(name);
    if (!clock) {
      if (!IANAZone.isValidZone(name)) throw new TypeError(`"${name}" is not an IANA time zone (e.g. "Asia/Shanghai")`);
      clock = new ZoneClock(name);
      ZoneClock.zones.set(name, clock);
    }
    return clock;
  }

  static isValid(name: unknown): boolean {
    return typeof name === "string" && IANAZone.isValidZone(name);
  }

  /** UTC offset in ms at an instant. */
  offset(ts: number): number {
    const bucket = Math.floor(ts / BUCKET);
    let minutes = this.offsets.get(bucket);
    if (minutes === undefined) {
      minutes = this.zone.offset(bucket * BUCKET);
      this.offsets.set(bucket, minutes);
    }
    return minutes * MINUTE;
  }

  /** The wall-clock day and time of day at an instant. */
  wall(ts: number): WallTime {
    const local = ts + this.offset(ts);
    const day = Math.floor(local / DAY);
    return { day, tod: local - day * DAY };
  }

  /** ISO weekday of a local day: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
  weekday(day: number): number {
    return ((((day + 3) % 7) + 7) % 7) + 1;
  }

  /**
   * The instant of a wall-clock time. A time that does not exist (spring-forward gap) moves
   * forward past the gap and an ambiguous one (fall-back) takes the earlier instant.
   */
  instant(day: number, tod: number): number {
    // Most days have one offset from midnight to midnight: then any time of day is plain
    // arithmetic on that offset. Days with a transition are resolved minute by minute.
    let offset = this.dayOffsets.get(day);
    if (offset === undefined) {
      const start = this.resolve(day * DAY);
      const end = this.resolve((day + 1) * DAY);
      offset = end - start === DAY ? day * DAY - start : Number.NaN;
      this.dayOffsets.set(day, offset);
    }
    if (!Number.isNaN(offset)) return day * DAY + tod - offset;
    const minute = Math.floor(tod / MINUTE);
    const key = day * 1441 + minute;
    let at = this.instants.get(key);
    if (at === undefined) {
      at = this.resolve(day * DAY + minute * MINUTE);
      this.instants.set(key, at);
    }
    return at + (tod - minute * MINUTE);
  }

  /**
   * When a wall-clock time falls in a spring-forward gap, the instant the gap ends (the first
   * existing wall time after it); otherwise null.
   */
  gapEnd(day: number, tod: number): number | null {
    const at = this.instant(day, tod);
    const wall = this.wall(at);
    if (wall.day === day && wall.tod === tod) return null;
    // The transition lies between reading the time with the offset after the gap and with the one before.
    let lo = day * DAY + tod - this.zone.offset(at) * MINUTE;
    let hi = at;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (this.offset(mid) === this.offset(hi)) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  /**
   * The instant whose wall-clock reading is `wall` (ms, as if UTC). Luxon's own fromObject guesses
   * with the offset at the machine's current time, which made ambiguous times depend on the clock;
   * here both offsets around the wall time are tried, so the answer is the same everywhere.
   */
  private resolve(wall: number): number {
    const before = this.zone.offset(wall - DAY);
    const after = this.zone.offset(wall + DAY);
    let best: number | null = null;
    for (const minutes of before === after ? [before] : [before, after]) {
      const t = wall - minutes * MINUTE;
      if (this.zone.offset(t) === minutes && (best === null || t < best)) best = t;
    }
    // A time in a spring-forward gap does not exist: read it with the offset before the gap,
    // which lands just as far past the gap (02:30 → 03:30).
    return best ?? wall - before * MINUTE;
  }

  /** `ts` plus `times` × `span`: calendar parts on the wall clock, then exact milliseconds. */
  add(ts: number, s: Span, times = 1): number {
    if (s.months === 0 && s.days === 0) return ts + s.ms * times;
    if (s.months === 0) {
      const { day, tod } = this.wall(ts);
      return this.instant(day + s.days * times, tod) + s.ms * times;
    }
    return (
      DateTime.fromMillis(ts, { zone: this.zone })
        .plus({ months: s.months * times, days: s.days * times })
        .toMillis() +
      s.ms * times
    );
  }

  /** The local calendar date of a day number as "yyyy-mm-dd". */
  static isoDate(day: number): string {
    return new Date(day * DAY).toISOString().slice(0, 10);
  }

  /** Whether a value is a real calendar date "yyyy-mm-dd" (not 2027-02-30). */
  static isDate(value: unknown): value is string {
    if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
    const day = ZoneClock.dayOf(value);
    return Number.isFinite(day) && ZoneClock.isoDate(day) === value;
  }

  /** The day number of a "yyyy-mm-dd" date. */
  static dayOf(isoDate: string): number {
    return Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / DAY);
  }
}

export const DAY_MS = DAY;
export const MINUTE_MS = MINUTE;
