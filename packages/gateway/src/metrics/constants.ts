// What the metrics count and how they are cut: one place for names the rollups and queries share.

/** Metric days are calendar days in China time (WeChat's operators'); weeks start on Monday. */
export const METRICS_TIMEZONE = "Asia/Shanghai";
/** SQL: the China-time calendar day of a timestamptz expression. */
export const dayOf = (expr: string) => `((${expr}) AT TIME ZONE '${METRICS_TIMEZONE}')::date`;
/** SQL: the Monday (China time) of the week of a timestamptz expression, as 'YYYY-MM-DD' text. */
export const weekOf = (expr: string) => `to_char(date_trunc('week', (${expr}) AT TIME ZONE '${METRICS_TIMEZONE}'), 'YYYY-MM-DD')`;

/** Event names (recorded by tracked links, the WeCom integration and integrators) the metrics read. */
export const METRIC_EVENTS = {
  opened: "content.opened",
  read: "content.read",
  clicked: "link.clicked",
  replied: "message.replied",
  deleted: "contact.deleted",
} as const;

/** Reply windows after a touch. */
export const REPLY_WINDOWS_MS = { h24: 24 * 3_600_000, h72: 72 * 3_600_000 } as const;

/** The histogram's last bucket: customers with this many touches or more. */
export const MAX_TOUCH_BUCKET = 20;

/**
 * How far back the rollup job re-reads deliveries on every run: a 群发助手 task confirmed, or a
 * retry that succeeded, up to this long after its due time is still counted.
 */
export const TOUCH_LOOKBACK_MS = 8 * 86_400_000;
/** Events are re-read from a little before the watermark: transactions commit out of received_at order. */
export const EVENT_WATERMARK_SLACK_MS = 5 * 60_000;

/** Longest range of one metrics query (days). */
export const MAX_METRICS_DAYS = 366;
/** Most rows one metrics query returns. */
export const MAX_METRICS_ROWS = 5_000;

/** Dimensions metrics can be grouped and filtered by. */
export type MetricDimension = "journey" | "stage" | "step" | "content" | "channel" | "staff" | "cohortWeek";
export const METRIC_DIMENSIONS: readonly MetricDimension[] = ["journey", "stage", "step", "content", "channel", "staff", "cohortWeek"];

/** Column of each dimension in metric_daily. */
export const DIMENSION_COLUMN: Record<MetricDimension, string> = {
  journey: "journey_key",
  stage: "stage",
  step: "step_id",
  content: "content",
  channel: "channel",
  staff: "staff_id",
  cohortWeek: "cohort_week",
};

/**
 * The grains metric_daily keeps (rows rolled up to fewer dimensions, '' in the others): a query
 * reads the smallest grain holding every dimension it groups or filters by. Order = smallest first.
 * `mask` is PostgreSQL's GROUPING(stage, step_id, content, channel, staff_id, cohort_week) of the grain.
 */
export const GRAINS = [
  { name: "j", dims: ["journey", "stage", "channel"], mask: 16 + 8 + 2 + 1 },
  { name: "s", dims: ["journey", "staff"], mask: 32 + 16 + 8 + 4 + 1 },
  { name: "c", dims: ["journey", "cohortWeek"], mask: 32 + 16 + 8 + 4 + 2 },
  { name: "p", dims: ["journey", "stage", "step", "content", "channel"], mask: 2 + 1 },
  { name: "d", dims: ["journey", "stage", "step", "content", "channel", "staff", "cohortWeek"], mask: 0 },
] as const satisfies ReadonlyArray<{ name: string; dims: readonly MetricDimension[]; mask: number }>;
