import { Duration as LuxonDuration } from "luxon";

/** A duration as written in definitions: `30m`, `2h`, `3d`, `1w`, `6mo`, `1y`, compounds like `1d12h`, ISO 8601 (`PT2H`, `P3D`) or milliseconds. */
export type DurationInput = string | number;

/**
 * A parsed duration. Calendar parts (months, days) are applied on the wall clock of a time zone,
 * so "1d" after 09:00 is 09:00 the next day even across a DST change; `ms` is exact elapsed time.
 */
export interface Span {
  months: number;
  days: number;
  ms: number;
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;
const SHORT = /^(\d+)(ms|mo|y|w|d|h|m|s)/;

/** Parses a duration, or returns an error message saying what was expected. */
export function parseDuration(input: unknown): Span | string {
  if (typeof input === "number") {
    return Number.isFinite(input) && input >= 0 ? { months: 0, days: 0, ms: input } : `expected a non-negative number of milliseconds, got ${input}`;
  }
  if (typeof input !== "string" || input.trim() === "") {
    return `expected a duration like "30m", "2h", "3d", "1w", "6mo" or ISO 8601 "PT2H", got ${JSON.stringify(input)}`;
  }
  const text = input.trim();
  if (/^P/i.test(text)) return fromIso(text);
  const span: Span = { months: 0, days: 0, ms: 0 };
  let rest = text;
  while (rest.length > 0) {
    const match = SHORT.exec(rest);
    if (!match) {
      return `"${input}" is not a duration (use 30m, 2h, 3d, 1w, 6mo, 1y, or ISO 8601 like PT2H / P3D)`;
    }
    const n = Number(match[1]);
    const unit = match[2] as string;
    if (unit === "y") span.months += 12 * n;
    else if (unit === "mo") span.months += n;
    else if (unit === "w") span.days += 7 * n;
    else if (unit === "d") span.days += n;
    else if (unit === "ms") span.ms += n;
    else span.ms += n * UNIT_MS[unit as keyof typeof UNIT_MS];
    rest = rest.slice(match[0].length);
  }
  return span;
}

function fromIso(text: string): Span | string {
  const d = LuxonDuration.fromISO(text.toUpperCase());
  if (!d.isValid) return `"${text}" is not an ISO 8601 duration (${d.invalidExplanation ?? d.invalidReason})`;
  const o = d.toObject();
  const months = (o.years ?? 0) * 12 + (o.months ?? 0);
  const days = (o.weeks ?? 0) * 7 + (o.days ?? 0);
  const ms = (o.hours ?? 0) * 3_600_000 + (o.minutes ?? 0) * 60_000 + (o.seconds ?? 0) * 1_000 + (o.milliseconds ?? 0);
  if (![months, days].every(Number.isInteger)) return `"${text}": fractional years, months, weeks or days are not supported`;
  if (months < 0 || days < 0 || ms < 0) return `"${text}": negative durations are not allowed`;
  return { months, days, ms };
}

/** Parses a duration that validation has already accepted. */
export function span(input: DurationInput): Span {
  const parsed = parseDuration(input);
  if (typeof parsed === "string") throw new TypeError(parsed);
  return parsed;
}

export function isZero(s: Span): boolean {
  return s.months === 0 && s.days === 0 && s.ms === 0;
}

/** A rough length, for ordering and lint only (never for scheduling). */
export function approxMs(s: Span): number {
  return s.months * 30 * 86_400_000 + s.days * 86_400_000 + s.ms;
}
