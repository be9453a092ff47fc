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

const isoCache = new Map<number, string>();

/** Effects carry times as ISO-8601 UTC strings so they survive JSON unchanged. */
export function iso(ms: number): string {
  // Many customers share due times (day 1 09:00): formatting each once saves most of the cost.
  let text = isoCache.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    if (isoCache.size >= 4096) isoCache.clear();
    isoCache.set(ms, text);
  }
  return text;
}

function describe(value: unknown): string {
  if (value instanceof Date) return "an invalid Date";
  return value === undefined ? "undefined" : JSON.stringify(value);
}
