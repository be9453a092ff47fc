// Metrics (issue 16 point 5): daily rollups kept by a job with watermarks, read by GraphQL and CSV.
export * from "./constants.js";
export { MetricsInputError } from "./errors.js";
export { refreshMetrics, refreshAllMetrics, resetMetrics, type RefreshResult } from "./refresh.js";
export { queryMetrics, grainFor, rate, type MetricsQuery, type MetricRow, type MetricPeriod } from "./query.js";
export { touchHistogram, type TouchBucket, type HistogramQuery } from "./histogram.js";
export { setTarget, targetProgress, periodBounds, TARGET_PERIODS, MAX_TARGETS, type TargetPeriod, type TargetProgress } from "./targets.js";
export { metricsCsv } from "./csv.js";
export { loadGoals, type JourneyGoal } from "./goals.js";
