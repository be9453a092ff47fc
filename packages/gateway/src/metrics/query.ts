import type { Sql } from "../db/sql.js";
import { DIMENSION_COLUMN, GRAINS, MAX_METRICS_ROWS, type MetricDimension } from "./constants.js";
import { MetricsInputError } from "./errors.js";
import { checkRange } from "./range.js";

export type MetricPeriod = "day" | "week" | "total";

export interface MetricsQuery {
  /** first day, "YYYY-MM-DD" (China time) */
  from: string;
  /** last day, inclusive */
  to: string;
  period: MetricPeriod;
  groupBy: MetricDimension[];
  /** only rows with these dimension values (a staff token's own staff id is forced by the caller) */
  filter: Partial<Record<MetricDimension, string>>;
}

/** One row of metrics: a period and the grouped dimensions (null when not grouped by it). */
export interface MetricRow {
  /** the day, the week's Monday, or `from` for "total" */
  period: string;
  journeyKey: string | null;
  stage: string | null;
  stepId: string | null;
  content: string | null;
  channel: string | null;
  staffId: string | null;
  cohortWeek: string | null;
  sent: number;
  massConfirmed: number;
  failed: number;
  /** sent + massConfirmed */
  delivered: number;
  /** every counted open: content.opened events and anonymous opens of 群发 / Moments links */
  opened: number;
  /** the anonymous opens within `opened` (no customer: not in any per-customer figure) */
  openedAnonymous: number;
  read: number;
  /** average data.seconds of content.read events; null without any */
  readSecondsAvg: number | null;
  clicked: number;
  replied24h: number;
  replied72h: number;
  deleted: number;
  converted: number;
}

const FIELD: Record<MetricDimension, keyof MetricRow> = {
  journey: "journeyKey", stage: "stage", step: "stepId", content: "content", channel: "channel", staff: "staffId", cohortWeek: "cohortWeek",
};

/** The smallest grain of metric_daily that keeps every dimension asked for. */
export function grainFor(dims: Iterable<MetricDimension>): (typeof GRAINS)[number] {
  const needed = [...dims];
  const grain = GRAINS.find((g) => needed.every((d) => (g.dims as readonly string[]).includes(d)));
  return grain ?? GRAINS[GRAINS.length - 1]!;
}

/**
 * Metrics from the daily rollups. Refused with LIMIT: a range over MAX_METRICS_DAYS, or more than
 * MAX_METRICS_ROWS rows (group by fewer dimensions, a coarser period or a shorter range).
 */
export async function queryMetrics(sql: Sql, workspaceId: string, q: MetricsQuery): Promise<MetricRow[]> {
  checkRange(q.from, q.to);
  const groupBy = [...new Set(q.groupBy)];
  const filters = Object.entries(q.filter).filter(([, v]) => v !== undefined && v !== null) as Array<[MetricDimension, string]>;
  const grain = grainFor([...groupBy, ...filters.map(([d]) => d)]);
  const params: unknown[] = [workspaceId, grain.name, q.from, q.to];
  const where = filters.map(([d, v]) => `${DIMENSION_COLUMN[d]} = $${params.push(v)}`);
  const period = q.period === "day" ? "to_char(day, 'YYYY-MM-DD')" : q.period === "week" ? "to_char(date_trunc('week', day), 'YYYY-MM-DD')" : "$3::text";
  const cols = groupBy.map((d) => DIMENSION_COLUMN[d]);
  // No JIT (off for the gateway's connections): it would compile an aggregate over a year of rollup rows
  // (its cost estimate passes jit_above_cost), which takes longer than the query itself.
  const rows = await sql.query<Record<string, string | number | null>>(
    `SELECT ${period} AS period${cols.map((c) => `, ${c}`).join("")},
       sum(sent)::int AS sent, sum(mass_confirmed)::int AS mass_confirmed, sum(failed)::int AS failed, sum(opened)::int AS opened,
       sum(read)::int AS read, sum(read_seconds)::float8 AS read_seconds, sum(clicked)::int AS clicked, sum(replied_24h)::int AS replied_24h,
       sum(replied_72h)::int AS replied_72h, sum(deleted)::int AS deleted, sum(converted)::int AS converted,
       sum(opened_anonymous)::int AS opened_anonymous
     FROM metric_daily
     WHERE workspace_id = $1 AND grain = $2 AND day BETWEEN $3::date AND $4::date${where.map((w) => ` AND ${w}`).join("")}
     GROUP BY 1${cols.map((_, i) => `, ${i + 2}`).join("")}
     ORDER BY 1${cols.map((_, i) => `, ${i + 2}`).join("")}
     LIMIT ${MAX_METRICS_ROWS + 1}`,
    params,
  );
  if (rows.length > MAX_METRICS_ROWS) {
    throw new MetricsInputError("LIMIT", "groupBy", `more than ${MAX_METRICS_ROWS} rows; group by fewer dimensions, use a coarser period or a shorter range`, MAX_METRICS_ROWS);
  }
  return rows.map((r) => {
    const row: MetricRow = {
      period: String(r.period),
      journeyKey: null, stage: null, stepId: null, content: null, channel: null, staffId: null, cohortWeek: null,
      sent: Number(r.sent), massConfirmed: Number(r.mass_confirmed), failed: Number(r.failed),
      delivered: Number(r.sent) + Number(r.mass_confirmed),
      opened: Number(r.opened), openedAnonymous: Number(r.opened_anonymous), read: Number(r.read),
      readSecondsAvg: Number(r.read) > 0 ? Number(r.read_seconds) / Number(r.read) : null,
      clicked: Number(r.clicked), replied24h: Number(r.replied_24h), replied72h: Number(r.replied_72h),
      deleted: Number(r.deleted), converted: Number(r.converted),
    };
    for (const d of groupBy) (row as unknown as Record<string, unknown>)[FIELD[d]] = r[DIMENSION_COLUMN[d]];
    return row;
  });
}

/** Share of delivered touches (null when nothing was delivered). */
export const rate = (n: number, delivered: number): number | null => (delivered > 0 ? n / delivered : null);
