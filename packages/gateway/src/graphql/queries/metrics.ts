import { MAX_METRICS_DAYS, MAX_METRICS_ROWS, type MetricDimension, type MetricsQuery, metricsCsv, queryMetrics, targetProgress, touchHistogram } from "../../metrics/index.js";
import { builder } from "../builder.js";
import { requireAuth, staffScope } from "../context.js";
import { metricsError } from "../services/metrics.js";
import { MetricDimensionEnum, MetricPeriodEnum, MetricRowType, MetricsFilterInput, TargetProgressType, TouchBucketType } from "../types/metrics.js";

const RANGE = `from / to: "YYYY-MM-DD" days in China time, inclusive, at most ${MAX_METRICS_DAYS} days (else LIMIT); at most ${MAX_METRICS_ROWS} rows (else LIMIT).`;

builder.queryFields((t) => {
  const metricsArgs = {
    from: t.arg.string({ required: true, description: 'first day, "YYYY-MM-DD"' }),
    to: t.arg.string({ required: true, description: "last day, inclusive" }),
    period: t.arg({ type: MetricPeriodEnum, defaultValue: "total" }),
    groupBy: t.arg({ type: [MetricDimensionEnum], defaultValue: [] }),
    filter: t.arg({ type: MetricsFilterInput }),
  };
  type Args = { from: string; to: string; period?: MetricsQuery["period"] | null; groupBy?: MetricDimension[] | null; filter?: Record<string, string | number | null | undefined> | null };
  const toQuery = (args: Args, ctx: Parameters<typeof staffScope>[0]): MetricsQuery => {
    const f = args.filter ?? {};
    const staff = staffScope(ctx, f.staffId == null ? null : String(f.staffId));
    const filter: MetricsQuery["filter"] = {};
    const set = (d: MetricDimension, v: unknown) => {
      if (v !== null && v !== undefined) filter[d] = String(v);
    };
    set("journey", f.journeyKey); set("stage", f.stage); set("step", f.stepId); set("content", f.content); set("channel", f.channel); set("staff", staff); set("cohortWeek", f.cohortWeek);
    return { from: args.from, to: args.to, period: args.period ?? "total", groupBy: args.groupBy ?? [], filter };
  };
  return {
    metrics: t.field({
      type: [MetricRowType],
      description: `Delivered, opened, read, clicked, replied, deleted and converted per period and group, from the daily rollups (as of the last metrics refresh). ${RANGE}`,
      args: metricsArgs,
      resolve: (_root, args, ctx) => metricsError(() => queryMetrics(ctx.db.sql, requireAuth(ctx).workspaceId, toQuery(args as Args, ctx))),
    }),
    metricsCsv: t.string({
      description: `The same rows as \`metrics\` as CSV text (header row, CRLF, rates appended). Also GET /metrics.csv. ${RANGE}`,
      args: metricsArgs,
      resolve: async (_root, args, ctx) => {
        const q = toQuery(args as Args, ctx);
        return metricsCsv(await metricsError(() => queryMetrics(ctx.db.sql, requireAuth(ctx).workspaceId, q)), q.groupBy);
      },
    }),
    touchHistogram: t.field({
      type: [TouchBucketType],
      description: "Touches per customer with the conversion rate per bucket (per journey: customers enrolled, touches delivered before converting).",
      args: {
        journeyKey: t.arg.string(),
        staffId: t.arg.id({ description: "a staff token: its own (the default)" }),
        cohortFrom: t.arg.string({ description: 'entry weeks from this day ("YYYY-MM-DD")' }),
        cohortTo: t.arg.string({ description: "entry weeks up to this day" }),
      },
      resolve: (_root, args, ctx) =>
        metricsError(() =>
          touchHistogram(ctx.db.sql, requireAuth(ctx).workspaceId, {
            journeyKey: args.journeyKey ?? null,
            staffId: staffScope(ctx, args.staffId == null ? null : String(args.staffId)) ?? null,
            cohortFrom: args.cohortFrom ?? null,
            cohortTo: args.cohortTo ?? null,
          }),
        ),
    }),
    metricTargets: t.field({
      type: [TargetProgressType],
      description: "Team targets (demos, trials, MQL, SQL … per period) with the count in the period containing `at` (default now).",
      args: { at: t.arg({ type: "DateTime" }) },
      resolve: (_root, args, ctx) => targetProgress(ctx.db.sql, requireAuth(ctx).workspaceId, args.at ?? ctx.now, staffScope(ctx, null) ?? null),
    }),
  };
});
