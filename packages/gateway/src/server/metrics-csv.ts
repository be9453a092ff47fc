// GET /metrics.csv — the `metricsCsv` query over plain HTTP, for spreadsheets and `curl -o`:
//   /metrics.csv?from=2026-12-01&to=2026-12-31&period=week&groupBy=journey,step&journeyKey=b2b
// Authorized like GraphQL ("Authorization: Bearer <API key or staff token>"; a staff token sees its
// own staff member's rows). Errors answer JSON { errors: [{ message, extensions: { code } }] }.
import type { Plugin } from "graphql-yoga";
import type { GatewayServices } from "../graphql/context.js";
import { METRIC_DIMENSIONS, type MetricDimension, type MetricPeriod, type MetricsQuery, MetricsInputError, metricsCsv, queryMetrics } from "../metrics/index.js";
import { jsonError } from "./http-limits.js";
import { authenticateRoute } from "./route-auth.js";

export const METRICS_CSV_PATH = "/metrics.csv";

const FILTERS: Array<[string, MetricDimension]> = [
  ["journeyKey", "journey"], ["stage", "stage"], ["stepId", "step"], ["content", "content"], ["channel", "channel"], ["staffId", "staff"], ["cohortWeek", "cohortWeek"],
];

export function metricsCsvPlugin(services: GatewayServices): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (url.pathname !== METRICS_CSV_PATH) return;
      return handle(services, request, url).then(endResponse);
    },
  };
}

async function handle(services: GatewayServices, request: Request, url: URL): Promise<Response> {
  const auth = await authenticateRoute(services, request, { method: "GET", path: METRICS_CSV_PATH, credentials: "API key or staff token" });
  if (auth instanceof Response) return auth;
  const p = url.searchParams;
  const from = p.get("from");
  const to = p.get("to");
  if (!from || !to) return jsonError(400, "BAD_USER_INPUT", `${!from ? "from" : "to"}: required, a day like 2026-12-01`);
  const period = (p.get("period") ?? "total").toLowerCase();
  if (period !== "day" && period !== "week" && period !== "total") return jsonError(400, "BAD_USER_INPUT", `period: expected day, week or total, got ${JSON.stringify(period)}`);
  const groupBy: MetricDimension[] = [];
  for (const raw of (p.get("groupBy") ?? "").split(",").filter(Boolean)) {
    const d = METRIC_DIMENSIONS.find((x) => x.toLowerCase() === raw.replace(/_/g, "").toLowerCase());
    if (!d) return jsonError(400, "BAD_USER_INPUT", `groupBy: unknown dimension ${JSON.stringify(raw)}; expected some of ${METRIC_DIMENSIONS.join(", ")}`);
    groupBy.push(d);
  }
  const filter: MetricsQuery["filter"] = {};
  for (const [param, d] of FILTERS) {
    const v = p.get(param);
    if (v !== null) filter[d] = v;
  }
  if (auth.kind === "staff") {
    if (filter.staff !== undefined && filter.staff !== auth.staffId) return jsonError(403, "FORBIDDEN", "a staff token can only see its own staff member's data");
    filter.staff = auth.staffId;
  }
  try {
    const rows = await queryMetrics(services.db.sql, auth.workspaceId, { from, to, period: period as MetricPeriod, groupBy, filter });
    return new Response(metricsCsv(rows, groupBy), {
      status: 200,
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="metrics-${from}-${to}.csv"` },
    });
  } catch (err) {
    if (err instanceof MetricsInputError) return jsonError(err.code === "LIMIT" ? 413 : 400, err.code, err.message, { field: err.field, ...(err.limit !== undefined ? { limit: err.limit } : {}) });
    throw err;
  }
}
