/** Anything the API accepts as an instant: a Date, an ISO-8601 string or epoch milliseconds. */
export type Instant = Date | string | number;

/**
 * Converts an {@link Instant} to epoch milliseconds, naming the offending field when it is not one.
 * @example toMillis("2026-11-23T09:00:00+08:00", "input.at") // 1795395600000
 */
export function toMillis(value: Instant, field: string): number {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === "number") ms = value;
  else if (typeof value === "string") ms = Date.parse(value);
  else throw new TypeError(`${field}: expected a Date, an ISO-8601 string or epoch milliseconds, got ${describe(value)}`);
  if (!Number.isFinite(ms)) {
    throw new TypeError(`${field}: expected a valid instant, got ${describe(value)}`);
  }
  return ms;
}

const DAY = 86_400_000;
// Up to 9999-12-31 the format is fixed-width (YYYY-MM-DDTHH:mm:ss.sssZ); later years get a sign.
const FIXED_WIDTH_END = 253_402_300_800_000;
const two = (n: number) => String(n).padStart(2, "0");
const HH_MM = Array.from({ length: 1440 }, (_, m) => `${two(Math.floor(m / 60))}:${two(m % 60)}:`);
const SS_Z = Array.from({ length: 60 }, (_, s) => `${two(s)}.000Z`);
// The date part of the last few days, in a small direct-mapped table.
const DATE_SLOTS = 64;
const slotDay = new Float64Array(DATE_SLOTS).fill(Number.NaN);
const slotDate: string[] = new Array<string>(DATE_SLOTS).fill("");

/**
 * Effects carry times as ISO-8601 UTC strings so they survive JSON unchanged. Same text as
 * `Date#toISOString`, but whole seconds are assembled from prebuilt parts: toISOString costs
 * ~0.4 µs and due times are rarely shared enough to cache whole strings.
 */
export function iso(ms: number): string {
  // Whole seconds, tested without `%` (a floating-point remainder is a slow library call in V8).
  const seconds = Math.floor(ms / 1000);
  if (!(ms >= 0 && ms < FIXED_WIDTH_END) || seconds * 1000 !== ms) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY);
  const slot = day & (DATE_SLOTS - 1);
  let date = slotDate[slot]!;
  if (slotDay[slot] !== day) {
    date = new Date(day * DAY).toISOString().slice(0, 11);
    slotDay[slot] = day;
    slotDate[slot] = date;
  }
  const second = seconds - day * 86_400;
  const minute = Math.floor(second / 60);
  return date + HH_MM[minute]! + SS_Z[second - minute * 60]!;
}

function describe(value: unknown): string {
  if (value instanceof Date) return "an invalid Date";
  return value === undefined ? "undefined" : JSON.stringify(value);
}
