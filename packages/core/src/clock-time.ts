const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Parses a wall-clock time "HH:mm" into minutes after midnight, or returns an error message. */
export function parseClockTime(input: unknown): number | string {
  if (typeof input === "string") {
    if (input === "24:00") return 1440;
    const m = CLOCK.exec(input);
    if (m) return Number(m[1]) * 60 + Number(m[2]);
  }
  return `expected a clock time "HH:mm" (00:00–23:59), got ${JSON.stringify(input)}`;
}

export function clockMinutes(input: string): number {
  const parsed = parseClockTime(input);
  if (typeof parsed === "string") throw new TypeError(parsed);
  return parsed;
}
