import { MAX_METRICS_DAYS } from "./constants.js";
import { MetricsInputError } from "./errors.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Checks an inclusive range of calendar days ("YYYY-MM-DD") and returns its length in days. */
export function checkRange(from: string, to: string, fields: { from: string; to: string } = { from: "from", to: "to" }): number {
  for (const [field, value] of [[fields.from, from], [fields.to, to]] as const) {
    if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
      throw new MetricsInputError("BAD_USER_INPUT", field, `expected a date like "2026-12-01", got ${JSON.stringify(value)}`);
    }
  }
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days < 1) throw new MetricsInputError("BAD_USER_INPUT", fields.to, `${to} is before ${fields.from} ${from}`);
  if (days > MAX_METRICS_DAYS) {
    throw new MetricsInputError("LIMIT", fields.to, `a metrics range is at most ${MAX_METRICS_DAYS} days, got ${days} (${from} … ${to}); ask for a shorter range`, MAX_METRICS_DAYS);
  }
  return days;
}
