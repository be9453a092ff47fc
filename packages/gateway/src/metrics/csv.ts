import type { MetricDimension } from "./constants.js";
import { type MetricRow, rate } from "./query.js";

const DIMENSION_HEADER: Array<[MetricDimension, keyof MetricRow]> = [
  ["journey", "journeyKey"], ["stage", "stage"], ["step", "stepId"], ["content", "content"], ["channel", "channel"], ["staff", "staffId"], ["cohortWeek", "cohortWeek"],
];
const MEASURES: Array<keyof MetricRow> = ["sent", "massConfirmed", "failed", "delivered", "opened", "openedAnonymous", "read", "readSecondsAvg", "clicked", "replied24h", "replied72h", "deleted", "converted"];

/** RFC 4180 field: quoted when it holds a comma, quote or line break; a leading = + - @ is prefixed with ' (no spreadsheet formulas). */
function field(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === "string") text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Metric rows as CSV (UTF-8, CRLF line ends, header row): the period, the grouped dimensions, every
 * measure, then the rates over delivered touches. The same numbers as the GraphQL `metrics` query.
 */
export function metricsCsv(rows: MetricRow[], groupBy: MetricDimension[]): string {
  const dims = DIMENSION_HEADER.filter(([d]) => groupBy.includes(d));
  const header = ["period", ...dims.map(([, f]) => f), ...MEASURES, "openRate", "replyRate24h", "replyRate72h", "deletionRate", "conversionRate"];
  const lines = [header.join(",")];
  for (const r of rows) {
    lines.push([
      r.period, ...dims.map(([, f]) => r[f]), ...MEASURES.map((m) => r[m]),
      rate(r.opened, r.delivered), rate(r.replied24h, r.delivered), rate(r.replied72h, r.delivered), rate(r.deleted, r.delivered), rate(r.converted, r.delivered),
    ].map(field).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
