// Metrics from a small scripted scenario (scenario.ts) against numbers computed by hand; the job's
// incremental runs against a full rebuild; CSV against GraphQL; LIMIT; a staff token's view.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refreshMetrics, resetMetrics } from "../../src/metrics/index.js";
import { type Harness, KINDS, type Tenant, createHarness, errorCodes, ok } from "../graphql/helpers.js";
import { insertEvent, seedScenario } from "./scenario.js";

const ROW = `period journeyKey stage stepId content channel staffId cohortWeek sent massConfirmed failed delivered opened read readSecondsAvg clicked replied24h replied72h deleted converted openRate replyRate24h`;
const METRICS = `query($from: String!, $to: String!, $period: MetricPeriod, $groupBy: [MetricDimension!], $filter: MetricsFilter) {
  metrics(from: $from, to: $to, period: $period, groupBy: $groupBy, filter: $filter) { ${ROW} } }`;
const CSV = `query($from: String!, $to: String!, $period: MetricPeriod, $groupBy: [MetricDimension!], $filter: MetricsFilter) {
  metricsCsv(from: $from, to: $to, period: $period, groupBy: $groupBy, filter: $filter) }`;
const WEEK = { from: "2026-12-01", to: "2026-12-07" };
const pick = (r: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, r[k]]));
const COUNTS = ["sent", "massConfirmed", "failed", "delivered", "opened", "read", "readSecondsAvg", "clicked", "replied24h", "replied72h", "deleted", "converted"];

describe.each(KINDS)("metrics (%s)", (kind) => {
  let h: Harness;
  let ws: Tenant;
  let a: Awaited<ReturnType<Tenant["staff"]>>;
  let b: Awaited<ReturnType<Tenant["staff"]>>;

  beforeAll(async () => {
    h = await createHarness(kind);
    ws = await h.workspace();
    a = await ws.staff("alice");
    b = await ws.staff("bob");
    await seedScenario(h.test.db.sql, { ws: ws.id, staffA: a.id, staffB: b.id });
    await refreshMetrics(h.test.db.sql, ws.id, new Date("2026-12-06T00:00:00Z"));
  }, 60_000);
  afterAll(() => h?.close());

  it("counts delivered, opened, read, clicked, replies, deletions and conversions per step as computed by hand", async () => {
    const rows = ok(await ws.api(METRICS, { ...WEEK, groupBy: ["STEP"] })).metrics;
    expect(rows.map((r: Record<string, unknown>) => pick(r, ["stepId", ...COUNTS]))).toEqual([
      // c3's failed greeting is no touch for attribution; c2's deletion was the staff member's doing
      { stepId: "case", sent: 1, massConfirmed: 1, failed: 0, delivered: 2, opened: 0, read: 2, readSecondsAvg: 60, clicked: 0, replied24h: 0, replied72h: 0, deleted: 1, converted: 1 },
      { stepId: "greet", sent: 2, massConfirmed: 0, failed: 1, delivered: 2, opened: 1, read: 0, readSecondsAvg: null, clicked: 1, replied24h: 1, replied72h: 2, deleted: 0, converted: 0 },
    ]);
    expect(rows[1].openRate).toBe(0.5);
    expect(rows[1].replyRate24h).toBe(0.5);
  });

  it("puts touch measures on the touch's day and event measures on the event's day", async () => {
    const rows = ok(await ws.api(METRICS, { ...WEEK, period: "DAY" })).metrics;
    expect(rows.map((r: Record<string, unknown>) => pick(r, ["period", "sent", "massConfirmed", "failed", "opened", "read", "clicked", "replied24h", "replied72h", "deleted", "converted"]))).toEqual([
      { period: "2026-12-01", sent: 2, massConfirmed: 0, failed: 1, opened: 1, read: 0, clicked: 1, replied24h: 1, replied72h: 2, deleted: 0, converted: 0 },
      { period: "2026-12-02", sent: 1, massConfirmed: 1, failed: 0, opened: 0, read: 2, clicked: 0, replied24h: 0, replied72h: 0, deleted: 0, converted: 0 },
      { period: "2026-12-03", sent: 0, massConfirmed: 0, failed: 0, opened: 0, read: 0, clicked: 0, replied24h: 0, replied72h: 0, deleted: 1, converted: 0 },
      { period: "2026-12-04", sent: 0, massConfirmed: 0, failed: 0, opened: 0, read: 0, clicked: 0, replied24h: 0, replied72h: 0, deleted: 0, converted: 1 },
    ]);
    const weeks = ok(await ws.api(METRICS, { from: "2026-11-30", to: "2026-12-13", period: "WEEK", groupBy: ["JOURNEY", "COHORT_WEEK"] })).metrics;
    expect(weeks.map((r: Record<string, unknown>) => pick(r, ["period", "journeyKey", "cohortWeek", "delivered", "converted"]))).toEqual([
      { period: "2026-11-30", journeyKey: "b2b", cohortWeek: "2026-11-30", delivered: 4, converted: 1 },
    ]);
  });

  it("gives the touches-per-customer histogram with the conversion rate per bucket", async () => {
    const q = `{ touchHistogram(journeyKey: "b2b") { touches orMore customers converted conversionRate } }`;
    expect(ok(await ws.api(q)).touchHistogram).toEqual([
      { touches: 1, orMore: false, customers: 2, converted: 0, conversionRate: 0 },
      { touches: 2, orMore: false, customers: 1, converted: 1, conversionRate: 1 },
    ]);
  });

  it("shows team targets with their progress in the period", async () => {
    ok(await ws.api(`mutation { setMetricTarget(event: "demo.booked", period: WEEK, target: 5) }`));
    const q = `{ metricTargets(at: "2026-12-03T08:00:00Z") { event period target periodStart periodEnd count progress } }`;
    expect(ok(await ws.api(q)).metricTargets).toEqual([{ event: "demo.booked", period: "WEEK", target: 5, periodStart: "2026-11-30", periodEnd: "2026-12-06", count: 2, progress: 0.4 }]);
    expect(ok(await a.gql(q)).metricTargets[0].count).toBe(1);
    expect(errorCodes(await a.gql(`mutation { setMetricTarget(event: "demo.booked", period: WEEK, target: 1) }`))).toEqual(["FORBIDDEN"]);
    expect(errorCodes(await ws.api(`mutation { setMetricTarget(event: "demo.booked", period: WEEK, target: 0) }`))).toEqual(["BAD_USER_INPUT"]);
  });

  it("lets a staff token see only its own staff member's metrics", async () => {
    const mine = ok(await a.gql(METRICS, { ...WEEK, groupBy: ["STEP"] })).metrics;
    expect(mine.map((r: Record<string, unknown>) => pick(r, ["stepId", "sent", "massConfirmed", "failed", "deleted", "converted"]))).toEqual([
      { stepId: "case", sent: 0, massConfirmed: 1, failed: 0, deleted: 0, converted: 1 },
      { stepId: "greet", sent: 2, massConfirmed: 0, failed: 0, deleted: 0, converted: 0 },
    ]);
    const bobs = ok(await b.gql(METRICS, { ...WEEK, groupBy: ["STAFF"] })).metrics;
    expect(bobs.map((r: Record<string, unknown>) => pick(r, ["staffId", "sent", "failed", "deleted"]))).toEqual([{ staffId: b.id, sent: 1, failed: 1, deleted: 1 }]);
    expect(errorCodes(await a.gql(METRICS, { ...WEEK, filter: { staffId: b.id } }))).toEqual(["FORBIDDEN"]);
    const res = await h.gateway.yoga.fetch(`http://yoga/metrics.csv?from=2026-12-01&to=2026-12-07&groupBy=staff`, { headers: { authorization: `Bearer ${a.token}` } });
    expect((await res.text()).split("\r\n")[1]).toMatch(new RegExp(`^2026-12-01,${a.id},`));
  });

  it("exports the same numbers as CSV (GraphQL metricsCsv and GET /metrics.csv)", async () => {
    const vars = { ...WEEK, period: "DAY", groupBy: ["JOURNEY", "STEP", "STAFF"] };
    const rows = ok(await ws.api(METRICS, vars)).metrics;
    const csv: string = ok(await ws.api(CSV, vars)).metricsCsv;
    const [header, ...lines] = csv.trimEnd().split("\r\n").map((l) => l.split(","));
    expect(header!.slice(0, 4)).toEqual(["period", "journeyKey", "stepId", "staffId"]);
    expect(lines).toHaveLength(rows.length);
    lines.forEach((cells, i) => {
      const record = Object.fromEntries(header!.map((k, j) => [k, cells[j]]));
      for (const k of ["period", "journeyKey", "stepId", "staffId"]) expect(record[k]).toBe(rows[i][k]);
      for (const k of COUNTS) expect(record[k]).toBe(rows[i][k] === null ? "" : String(rows[i][k]));
    });
    const res = await h.gateway.yoga.fetch(`http://yoga/metrics.csv?from=2026-12-01&to=2026-12-07&period=day&groupBy=journey,step,staff`, { headers: { authorization: `Bearer ${ws.key}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(await res.text()).toBe(csv);
    expect((await h.gateway.yoga.fetch(`http://yoga/metrics.csv?from=2026-12-01&to=2026-12-07`)).status).toBe(401);
  });

  it("refuses a range over the limit with LIMIT naming the field", async () => {
    const res = await ws.api(METRICS, { from: "2025-01-01", to: "2026-12-31" });
    expect(errorCodes(res)).toEqual(["LIMIT"]);
    expect(res.errors![0]!.message).toMatch(/^to: a metrics range is at most 366 days, got 730/);
    expect(res.errors![0]!.extensions).toMatchObject({ field: "to", limit: 366 });
    expect(errorCodes(await ws.api(METRICS, { from: "2026-12-07", to: "2026-12-01" }))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await ws.api(METRICS, { from: "2026-13-01", to: "2026-12-01" }))).toEqual(["BAD_USER_INPUT"]);
    const csv = await h.gateway.yoga.fetch(`http://yoga/metrics.csv?from=2025-01-01&to=2026-12-31`, { headers: { authorization: `Bearer ${ws.key}` } });
    expect(csv.status).toBe(413);
    expect((await csv.json()).errors[0].extensions.code).toBe("LIMIT");
  });

  it("refuses a result of more than 5,000 rows with LIMIT", async () => {
    const other = await h.workspace();
    await h.test.db.sql.execute(
      `INSERT INTO metric_daily (workspace_id, grain, day, journey_key, stage, step_id, content, channel, staff_id, cohort_week, sent)
       SELECT $1, 'p', '2026-12-01', 'j', 'new', 's' || i, 'c', 'private_chat', '', '', 1 FROM generate_series(1, 5001) i`,
      [other.id],
    );
    const res = await other.api(METRICS, { ...WEEK, groupBy: ["STEP"] });
    expect(errorCodes(res)).toEqual(["LIMIT"]);
    expect(res.errors![0]!.message).toMatch(/^groupBy: more than 5000 rows/);
    expect(ok(await other.api(METRICS, { ...WEEK, groupBy: ["STEP"], filter: { stepId: "s1" } })).metrics).toEqual([expect.objectContaining({ stepId: "s1", sent: 1 })]);
  });

  it("keeps the rollups up to date incrementally: the same numbers as a full rebuild", async () => {
    const sql = h.test.db.sql;
    // Later: c3 replied 2 h after the case study (reported late), c2's case study went out.
    await insertEvent(sql, ws.id, "late-reply", `${ws.id}-c3`, "message.replied", "2026-12-02T04:00:00Z", {}, new Date("2026-12-10T00:00:00Z"));
    await sql.execute(`UPDATE deliveries SET status = 'sent', sent_at = '2026-12-09T02:00:00Z' WHERE key = $1`, [`${ws.id}:d6`]);
    const run = await refreshMetrics(sql, ws.id, new Date("2026-12-10T00:00:00Z"));
    expect(run.days).toContain("2026-12-02");
    expect(run.days).toContain("2026-12-09");
    const all = { from: "2026-11-25", to: "2026-12-31", period: "DAY", groupBy: ["JOURNEY", "STAGE", "STEP", "CONTENT", "CHANNEL", "STAFF", "COHORT_WEEK"] };
    const incremental = ok(await ws.api(METRICS, all)).metrics;
    const caseRows = ok(await ws.api(METRICS, { from: "2026-11-25", to: "2026-12-31", groupBy: ["STEP"], filter: { stepId: "case" } })).metrics;
    expect(pick(caseRows[0], ["sent", "massConfirmed", "replied24h"])).toEqual({ sent: 2, massConfirmed: 1, replied24h: 1 });
    const histogram = `{ touchHistogram { touches customers converted } }`;
    const incrementalHistogram = ok(await ws.api(histogram)).touchHistogram;
    expect(incrementalHistogram).toEqual([{ touches: 1, customers: 1, converted: 0 }, { touches: 2, customers: 2, converted: 1 }]);
    await resetMetrics(sql, ws.id);
    await refreshMetrics(sql, ws.id, new Date("2026-12-10T00:00:00Z"));
    expect(ok(await ws.api(METRICS, all)).metrics).toEqual(incremental);
    expect(ok(await ws.api(histogram)).touchHistogram).toEqual(incrementalHistogram);
    // Nothing new: a run changes nothing.
    expect((await refreshMetrics(sql, ws.id, new Date("2026-12-10T00:01:00Z"))).days.length).toBeGreaterThanOrEqual(0);
    expect(ok(await ws.api(METRICS, all)).metrics).toEqual(incremental);
  });
});
