// Metrics at a million customers (issue 16, point 6): seeds its own PostgreSQL database with
// generate_series SQL — 1,000,000 customers (50 staff, 5 journeys of 10 steps, entries spread over
// 2026), 10,000,000 deliveries (sent, 群发 confirmed, 2.5 % failed) and 20,000,000 events (opens,
// reads, clicks with tracked-link delivery keys; replies, deletions, demos, trials, logins) — builds
// the rollups with the metrics job's first run, then measures p95 of metrics queries through the
// GraphQL gateway in-process (API key and a staff token), and one incremental job run.
// Run: npm run bench:metrics [-- --scale 0.1 --runs 40 --dry]
import { randomBytes } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import { createTestDatabase } from "../packages/gateway/src/db/test-databases.js";
import { type MetricDimension, queryMetrics, refreshMetrics } from "../packages/gateway/src/metrics/index.js";
import { createGateway } from "../packages/gateway/src/server/create-gateway.js";
import { machine, writeSection } from "./results.js";

const { values } = parseArgs({ options: { scale: { type: "string", default: "1" }, runs: { type: "string", default: "40" }, dry: { type: "boolean", default: false }, explain: { type: "boolean", default: false } } });
const SCALE = Number(values.scale);
const RUNS = Number(values.runs);
const CUSTOMERS = Math.round(1_000_000 * SCALE);
const STAFF = 50;
const JOURNEYS = 5;
const OFFSETS = [0, 1, 2, 3, 7, 14, 21, 30, 45, 60]; // step days after entry
const CHANNELS = ["private_chat", "private_chat", "moments", "private_chat", "official_account", "private_chat", "moments", "private_chat", "official_account", "private_chat"];
const NOW = new Date("2027-01-01T00:00:00Z");
const ADMIN_KEY = "sk_bench_metrics_admin_key_0123456789";

const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
const secs = (t0: number) => (performance.now() - t0) / 1000;

const t = await createTestDatabase("postgres");
const clock = { now: NOW };
const gateway = await createGateway({ db: t.db, adminKey: ADMIN_KEY, secretKey: randomBytes(32).toString("base64"), clock: () => clock.now, metricsRollupIntervalMs: 0, logger: false });
try {
  const sql = t.db.sql;
  const ws = gateway.workspaceId;
  // Customer i: staff i % 50, journey i % 5, entered 2026-01-01 + i/N of a year (China time).
  const entry = `('2026-01-01T00:00:00+08'::timestamptz + (i::float8 / ${CUSTOMERS} * 365) * interval '1 day' + ((i * 7919) % 600) * interval '1 minute')`;
  const tables = ["deliveries", "events"];
  // Indexes are dropped while loading and built afterwards (far faster than row by row).
  const defs = await sql.query<{ drop: string; create: string }>(
    `SELECT CASE WHEN c.oid IS NULL THEN format('DROP INDEX %I', i.indexname) ELSE format('ALTER TABLE %I DROP CONSTRAINT %I', i.tablename, c.conname) END AS drop,
            CASE WHEN c.oid IS NULL THEN i.indexdef ELSE format('ALTER TABLE %I ADD CONSTRAINT %I %s', i.tablename, c.conname, pg_get_constraintdef(c.oid)) END AS create
     FROM pg_indexes i LEFT JOIN pg_constraint c ON c.conname = i.indexname AND c.conrelid = format('%I', i.tablename)::regclass
     WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
       -- a key other tables' foreign keys point at stays
       AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = format('%I', i.indexname)::regclass)`,
    [tables],
  );
  const seedStart = performance.now();
  await sql.execute(`SET work_mem = '256MB'`).catch(() => undefined); // the sorts of the time-ordered inserts (per connection; best effort)
  for (const d of defs) await sql.execute(d.drop);
  await sql.execute(`INSERT INTO staff (id, workspace_id, external_id, name) SELECT 'st' || k, $1, 'st' || k, 'staff ' || k FROM generate_series(0, ${STAFF - 1}) k`, [ws]);
  for (let j = 0; j < JOURNEYS; j++) {
    const definition = {
      id: `j${j}`, version: 1, timezone: "Asia/Shanghai", entry: "new", goal: { event: "trial.started", within: "30d" },
      stages: [{ id: "new", sop: OFFSETS.map((day, k) => ({ id: `s${k}`, day, at: "10:00", channel: CHANNELS[k], content: `j${j}-c${k}`, ...(k === 3 || k === 7 ? { mode: "task" } : {}) })) }],
    };
    await sql.execute(`INSERT INTO journeys (workspace_id, key, version, definition) VALUES ($1, $2, 1, $3)`, [ws, `j${j}`, JSON.stringify(definition)]);
  }
  let t0 = performance.now();
  await sql.execute(`INSERT INTO customers (id, workspace_id, external_id, staff_id, created_at) SELECT 'c' || i, $1, 'c' || i, 'st' || (i % ${STAFF}), ${entry} FROM generate_series(1::bigint, ${CUSTOMERS}) i`, [ws]);
  await sql.execute(
    `INSERT INTO enrollments (id, workspace_id, customer_id, journey_key, journey_version, staff_id, owner_key, stage, created_at)
     SELECT 'en' || i, $1, 'c' || i, 'j' || (i % ${JOURNEYS}), 1, 'st' || (i % ${STAFF}), 'st' || (i % ${STAFF}), 'new', ${entry} FROM generate_series(1::bigint, ${CUSTOMERS}) i`,
    [ws],
  );
  log(`customers and enrollments: ${secs(t0).toFixed(0)} s`);
  t0 = performance.now();
  const due = `(${entry} + ($2::int[])[k + 1] * interval '1 day')`;
  await sql.execute(
    `INSERT INTO deliveries (key, workspace_id, enrollment_id, customer_id, journey_key, stage, step_id, due_at, channel, content, mode, status, sent_at)
     SELECT 'j' || (i % ${JOURNEYS}) || ':c' || i || ':new:1:s' || k, $1, 'en' || i, 'c' || i, 'j' || (i % ${JOURNEYS}), 'new', 's' || k, ${due},
       ($3::text[])[k + 1], 'j' || (i % ${JOURNEYS}) || '-c' || k, CASE WHEN k IN (3, 7) THEN 'mass_send' ELSE 'auto' END,
       CASE WHEN (i * 31 + k) % 40 = 0 THEN 'failed' ELSE 'sent' END, CASE WHEN (i * 31 + k) % 40 = 0 THEN NULL ELSE ${due} END
     FROM generate_series(1::bigint, ${CUSTOMERS}) i CROSS JOIN generate_series(0, 9) k
     ORDER BY 8 -- stored in time order, as the scheduler writes them (the BRIN index on due_at relies on it)`,
    [ws, OFFSETS, CHANNELS],
  );
  log(`deliveries: ${secs(t0).toFixed(0)} s`);
  t0 = performance.now();
  // 20 events per customer; event n is about step n % 10, minutes to days after it.
  const at = `(${entry} + ($2::int[])[n % 10 + 1] * interval '1 day' + (CASE WHEN n BETWEEN 12 AND 14 THEN ((i * n) % 100) * interval '1 hour' ELSE ((i * 13 + n * 7) % 240) * interval '1 minute' END))`;
  await sql.execute(
    `INSERT INTO events (workspace_id, event_id, customer_id, name, at, data, received_at)
     SELECT $1, 'e' || i || '-' || n, 'c' || i, x.name, ${at},
       CASE WHEN n < 12 THEN jsonb_build_object('deliveryKey', 'j' || (i % ${JOURNEYS}) || ':c' || i || ':new:1:s' || (n % 10), 'step', 's' || (n % 10), 'content', 'j' || (i % ${JOURNEYS}) || '-c' || (n % 10))
              || CASE WHEN x.name = 'content.read' THEN jsonb_build_object('seconds', (i * n) % 300) ELSE '{}'::jsonb END
            WHEN x.name = 'contact.deleted' THEN '{"by":"customer"}'::jsonb ELSE '{}'::jsonb END,
       ${at}
     FROM generate_series(1::bigint, ${CUSTOMERS}) i CROSS JOIN generate_series(0, 19) n
     CROSS JOIN LATERAL (SELECT CASE WHEN n < 6 THEN 'content.opened' WHEN n < 10 THEN 'content.read' WHEN n < 12 THEN 'link.clicked' WHEN n < 15 THEN 'message.replied'
       WHEN n = 15 THEN 'demo.booked' WHEN n = 16 AND i % 4 = 0 THEN 'trial.started' WHEN n = 17 AND i % 50 = 0 THEN 'contact.deleted' ELSE 'app.login' END AS name) x
     ORDER BY 5 -- in time order, as they arrive`,
    [ws, OFFSETS],
  );
  log(`events: ${secs(t0).toFixed(0)} s`);
  t0 = performance.now();
  for (const d of defs) await sql.execute(d.create);
  await sql.execute(`ANALYZE`);
  log(`indexes and ANALYZE: ${secs(t0).toFixed(0)} s`);
  const seedSeconds = secs(seedStart);
  const [counts] = await sql.query<{ c: number; d: number; e: number }>(`SELECT (SELECT count(*) FROM customers)::int AS c, (SELECT count(*) FROM deliveries)::int AS d, (SELECT count(*) FROM events)::int AS e`);
  log(`seeded ${JSON.stringify(counts)} in ${seedSeconds.toFixed(0)} s`);

  t0 = performance.now();
  await refreshMetrics(sql, ws, NOW);
  await sql.execute(`ANALYZE metric_touches; ANALYZE metric_daily; ANALYZE metric_touch_histogram; ANALYZE metric_event_daily`);
  const rebuildSeconds = secs(t0);
  if (values.explain) {
    const { DAILY_INSERT } = await import("../packages/gateway/src/metrics/recompute-days.js");
    const { loadGoals, goalParams } = await import("../packages/gateway/src/metrics/goals.js");
    const days = Array.from({ length: 31 }, (_, d) => new Date(Date.UTC(2026, 5, 1 + d)).toISOString().slice(0, 10));
    const goals = await loadGoals(sql, ws);
    await sql.transaction(async (tx) => {
      await tx.execute(`DELETE FROM metric_daily WHERE workspace_id = $1 AND day = ANY($2::date[])`, [ws, days]);
      const plan = await tx.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE) ${DAILY_INSERT}`, [ws, days, ...goalParams(goals)]);
      console.log(plan.map((r) => r["QUERY PLAN"]).join("\n"));
      throw new Error("rollback");
    }).catch((e: Error) => { if (e.message !== "rollback") console.log(e); });
  }
  const [sizes] = await sql.query<{ daily: number; touches: number; hist: number }>(
    `SELECT (SELECT count(*) FROM metric_daily)::int AS daily, (SELECT count(*) FROM metric_touches)::int AS touches, (SELECT count(*) FROM metric_touch_histogram)::int AS hist`,
  );
  log(`rollups built in ${rebuildSeconds.toFixed(0)} s: ${JSON.stringify(sizes)}`);

  // A staff token for st7.
  const gql = async (credential: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await gateway.yoga.fetch("http://yoga/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${credential}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const staffToken = (await gql(ADMIN_KEY, `mutation { issueStaffToken(staffId: "st7", ttlSeconds: 86400) { token } }`)).issueStaffToken.token as string;
  const M = `query($from: String!, $to: String!, $period: MetricPeriod, $groupBy: [MetricDimension!], $filter: MetricsFilter) {
    metrics(from: $from, to: $to, period: $period, groupBy: $groupBy, filter: $filter) { period journeyKey stepId staffId cohortWeek delivered opened read readSecondsAvg clicked replied24h replied72h deleted converted openRate } }`;
  const queries: Array<{ name: string; credential: string; query: string; variables?: Record<string, unknown> }> = [
    { name: "workspace, per journey per week, 366 days", credential: ADMIN_KEY, query: M, variables: { from: "2026-01-01", to: "2027-01-01", period: "WEEK", groupBy: ["JOURNEY"] } },
    { name: "one journey, per step per week, 366 days", credential: ADMIN_KEY, query: M, variables: { from: "2026-01-01", to: "2027-01-01", period: "WEEK", groupBy: ["STEP"], filter: { journeyKey: "j2" } } },
    { name: "one journey, per step and staff member, 90 days total", credential: ADMIN_KEY, query: M, variables: { from: "2026-06-01", to: "2026-08-29", groupBy: ["STEP", "STAFF"], filter: { journeyKey: "j2" } } },
    { name: "workspace, per content per day, 30 days", credential: ADMIN_KEY, query: M, variables: { from: "2026-09-01", to: "2026-09-30", period: "DAY", groupBy: ["CONTENT"] } },
    { name: "per journey and entry-week cohort, 180 days", credential: ADMIN_KEY, query: M, variables: { from: "2026-03-01", to: "2026-08-27", groupBy: ["JOURNEY", "COHORT_WEEK"] } },
    { name: "staff token: per journey per day, 90 days", credential: staffToken, query: M, variables: { from: "2026-06-01", to: "2026-08-29", period: "DAY", groupBy: ["JOURNEY"] } },
    { name: "staff token: per step per week, 366 days", credential: staffToken, query: M, variables: { from: "2026-01-01", to: "2027-01-01", period: "WEEK", groupBy: ["JOURNEY", "STEP"] } },
    { name: "touches histogram, whole workspace", credential: ADMIN_KEY, query: `{ touchHistogram { touches customers converted conversionRate } }` },
    { name: "touches histogram, one journey, 6 months of cohorts", credential: ADMIN_KEY, query: `{ touchHistogram(journeyKey: "j1", cohortFrom: "2026-01-01", cohortTo: "2026-06-30") { touches customers conversionRate } }` },
    { name: "CSV: one journey, per step per week, 366 days", credential: ADMIN_KEY, query: M.replace("metrics(", "metricsCsv(").replace(/\{ period journeyKey[^}]*\} \}$/, "}"), variables: { from: "2026-01-01", to: "2027-01-01", period: "WEEK", groupBy: ["STEP"], filter: { journeyKey: "j2" } } },
  ];
  ok(await gql(ADMIN_KEY, `mutation { setMetricTarget(event: "demo.booked", period: WEEK, target: 20000) }`));
  queries.push({ name: "team targets with progress", credential: ADMIN_KEY, query: `{ metricTargets(at: "2026-10-14T00:00:00Z") { event count progress } }` });
  const results: Array<{ name: string; p50: number; p95: number; rows: number; sqlP95: number | null }> = [];
  const dims: Record<string, MetricDimension> = { JOURNEY: "journey", STAGE: "stage", STEP: "step", CONTENT: "content", CHANNEL: "channel", STAFF: "staff", COHORT_WEEK: "cohortWeek" };
  const percentile = (times: number[], x: number) => [...times].sort((a, b) => a - b)[Math.min(times.length - 1, Math.ceil(x * times.length) - 1)]!;
  for (const q of queries) {
    const times: number[] = [];
    let rows = 0;
    for (let r = 0; r < RUNS + 3; r++) {
      const s = performance.now();
      const data = await gql(q.credential, q.query, q.variables);
      const ms = performance.now() - s;
      if (r >= 3) times.push(ms); // three warm-up runs
      const v = Object.values(data)[0];
      rows = Array.isArray(v) ? v.length : typeof v === "string" ? v.split("\r\n").length - 2 : 0;
    }
    // The same metrics read without GraphQL (the SQL and the row mapping only).
    let sqlP95: number | null = null;
    const v = q.variables as { from: string; to: string; period?: string; groupBy?: string[]; filter?: { journeyKey?: string } } | undefined;
    if (v && q.query.includes("metrics(")) {
      const sqlTimes: number[] = [];
      const filter = { ...(v.filter?.journeyKey ? { journey: v.filter.journeyKey } : {}), ...(q.credential === staffToken ? { staff: "st7" } : {}) };
      for (let r = 0; r < RUNS + 3; r++) {
        const s = performance.now();
        await queryMetrics(sql, ws, { from: v.from, to: v.to, period: (v.period ?? "TOTAL").toLowerCase() as "day", groupBy: (v.groupBy ?? []).map((g) => dims[g]!), filter });
        if (r >= 3) sqlTimes.push(performance.now() - s);
      }
      sqlP95 = percentile(sqlTimes, 0.95);
    }
    results.push({ name: q.name, p50: percentile(times, 0.5), p95: percentile(times, 0.95), rows, sqlP95 });
    log(`${q.name}: p50 ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms (${rows} rows)${sqlP95 === null ? "" : `, SQL only p95 ${sqlP95.toFixed(1)} ms`}`);
  }

  const loadDuringQueries = os.loadavg().map((x) => x.toFixed(1)).join(" / ");
  // One incremental job run after a minute of new activity: 2,000 events, 500 touches confirmed.
  const later = new Date(NOW.getTime() + 60_000);
  await sql.execute(
    `INSERT INTO events (workspace_id, event_id, customer_id, name, at, data, received_at)
     SELECT $1, 'late' || i, 'c' || (i * 397 % ${CUSTOMERS} + 1), CASE WHEN i % 2 = 0 THEN 'message.replied' ELSE 'content.opened' END, $2::timestamptz - (i % 60) * interval '1 minute', '{}', $2
     FROM generate_series(1::bigint, 2000) i`,
    [ws, later],
  );
  await sql.execute(`UPDATE deliveries SET status = 'sent', sent_at = due_at WHERE key IN (SELECT key FROM deliveries WHERE status = 'failed' AND due_at > $1 ORDER BY due_at LIMIT 500)`, [new Date(NOW.getTime() - 3 * 86_400_000)]);
  t0 = performance.now();
  const run = await refreshMetrics(sql, ws, later);
  const incrementalSeconds = secs(t0);
  log(`incremental run: ${incrementalSeconds.toFixed(1)} s (${run.days.length} days, ${run.customers} customers)`);

  const worst = Math.max(...results.map((r) => r.p95));
  const body = `${machine()}
PostgreSQL 15 on the same machine (default settings). Scale ${SCALE}: ${counts!.c.toLocaleString("en")} customers (${STAFF} staff, ${JOURNEYS} journeys × 10 steps, entries over 2026), ${counts!.d.toLocaleString("en")} deliveries, ${counts!.e.toLocaleString("en")} events.

- Seed (generate_series SQL, indexes built after loading, ANALYZE): ${seedSeconds.toFixed(0)} s.
- Rollups built by the metrics job's first run (every touch copied, every day recomputed a month at a time, the histogram): ${rebuildSeconds.toFixed(0)} s; ${sizes!.daily.toLocaleString("en")} metric_daily rows over all grains, ${sizes!.touches.toLocaleString("en")} touches, ${sizes!.hist.toLocaleString("en")} histogram rows.
- One incremental run after 2,000 new events and 500 changed touches: ${incrementalSeconds.toFixed(1)} s (${run.days.length} days and ${run.customers} customers recomputed).

Queries through the GraphQL gateway in-process (yoga.fetch: authentication, parsing, SQL, serialization), ${RUNS} runs each after 3 warm-up runs:

| query | rows | p50 ms | p95 ms | p95 ms of the read alone (no GraphQL) |
| --- | --- | --- | --- | --- |
${results.map((r) => `| ${r.name} | ${r.rows} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.sqlP95 === null ? "—" : r.sqlP95.toFixed(1)} |`).join("\n")}

Load average while the queries ran: ${loadDuringQueries} (2 cores shared with other work).

Target: p95 < 200 ms. Worst p95: ${worst.toFixed(1)} ms — ${worst < 200 ? "met" : "NOT met"}.`;
  console.log(body);
  if (!values.dry) writeSection("Metrics (npm run bench:metrics)", body);
} finally {
  await gateway.stop();
  await t.drop();
}

function ok<T>(x: T): T {
  return x;
}
