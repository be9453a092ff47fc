// Gateway benchmark (issue 3): scheduler steps fired per second for 100,000 enrollments with an
// 8-step stage, all due, on the embedded default (PGlite) and on PostgreSQL; beside it, a bare SQL
// claim-and-update loop on the same database in the same run; events ingested per second; bytes
// stored per enrollment. Run: npm run bench:gateway [-- --n 100000 --events 30000]
// `--cap 1` runs it under a workspace marketing cap of 1 a day: every enrollment's 8 due steps then
// pass through the cap's per-batch statements (and 7 of 8 are deferred), its worst case.
// `--where` ingests `content.read` events with data through a journey whose tag rule and transition
// read it (`where: { "data.seconds": { gte: 60 }, "data.content": "case-1" }`): half the events match,
// tag their customer high-intent and move them to another stage.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createTestDatabase, type TestDatabaseKind } from "../packages/gateway/src/db/test-databases.js";
import type { SqlRunner } from "../packages/gateway/src/db/index.js";
import { JourneyRegistry } from "../packages/gateway/src/engine/journey-registry.js";
import { createScheduler } from "../packages/gateway/src/engine/scheduler.js";
import { createGateway } from "../packages/gateway/src/server/create-gateway.js";
import { seedWorkspace } from "../packages/gateway/test/engine/fixtures.js";
import { eightStepJourney, withDataRules } from "./lib/eight-step-journey.js";
import { seedEnrollments } from "./lib/seed-enrollments.js";
import { machine, writeSection } from "./results.js";

const { values } = parseArgs({ options: { n: { type: "string", default: "100000" }, events: { type: "string", default: "30000" }, workers: { type: "string", default: "2" }, only: { type: "string" }, cap: { type: "string" }, where: { type: "boolean", default: false } } });
const WHERE = values.where;
const CAP = values.cap === undefined ? undefined : Number(values.cap);
const WORKERS = Number(values.workers);
const N = Number(values.n);
// Events per run; the three runs take three disjoint sets of customers.
const EVENT_RUNS = 3;
const EVENTS = Math.min(Number(values.events), Math.floor(N / EVENT_RUNS));
const T0 = new Date("2026-11-23T02:00:00Z");

async function bareClaimLoop(sql: SqlRunner & { transaction: <R>(fn: (tx: SqlRunner) => Promise<R>) => Promise<R> }, n: number): Promise<number> {
  await sql.execute(`DROP TABLE IF EXISTS bench_claims`);
  await sql.execute(`CREATE TABLE bench_claims (id bigserial PRIMARY KEY, due timestamptz NOT NULL, fired boolean NOT NULL DEFAULT false)`);
  await sql.execute(`CREATE INDEX bench_claims_due ON bench_claims (due) WHERE NOT fired`);
  await sql.execute(`INSERT INTO bench_claims (due) SELECT $1::timestamptz + g * interval '1 second' FROM generate_series(1, $2::int) g`, [T0, n]);
  const started = performance.now();
  let claimed = 0;
  for (;;) {
    const rows = await sql.transaction((tx) =>
      tx.query(`UPDATE bench_claims SET fired = true WHERE id IN (SELECT id FROM bench_claims WHERE due <= $1 AND NOT fired ORDER BY due LIMIT 1000 FOR UPDATE SKIP LOCKED) RETURNING id`, [new Date("2030-01-01")]),
    );
    if (rows.length === 0) break;
    claimed += rows.length;
  }
  return claimed / ((performance.now() - started) / 1000);
}

// The bare loop takes a second or two, so one run of it moves with the machine's noise far more than
// the scheduler's longer run: its median of three runs is the reference.
async function bareClaimLoopMedian(sql: Parameters<typeof bareClaimLoop>[0], n: number): Promise<number> {
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) rates.push(await bareClaimLoop(sql, n));
  return rates.sort((a, b) => a - b)[1]!;
}

/** The i-th event of a run: a plain click, or (with --where) a read whose data half the time passes the rules. */
function eventOf(i: number): { name: string; data?: Record<string, unknown> } {
  if (!WHERE) return { name: "link.clicked" };
  return { name: "content.read", data: { seconds: i % 2 === 0 ? 90 : 20, content: "case-1", link: 0 } };
}

async function benchKind(kind: TestDatabaseKind) {
  // PGlite on disk, as the embedded default runs (./data); PostgreSQL in a database of its own.
  const t = await createTestDatabase(kind, { persistent: true });
  try {
    const seeded = await seedWorkspace(t.db, [WHERE ? withDataRules(eightStepJourney) : eightStepJourney], CAP === undefined ? {} : { marketingCap: { perDay: CAP } });
    let t1 = performance.now();
    await seedEnrollments(t.db.sql, seeded.workspaceId, N, (i) => T0.getTime() + (i % 86_400) * 1_000);
    const seedSeconds = (performance.now() - t1) / 1000;
    // Planner statistics as autovacuum keeps them in a running system (a freshly bulk-loaded table
    // has none yet, and the planner would then scan whole tables for a batch of ids).
    await t.db.sql.execute(`ANALYZE`);
    const [size] = await t.db.sql.query<{ bytes: string }>(`SELECT pg_total_relation_size('enrollments')::text AS bytes`);
    const bytesPerEnrollment = Number(size!.bytes) / N;
    // Several workers share the claims on PostgreSQL (SKIP LOCKED); PGlite has one connection.
    const workers = kind === "postgres" ? WORKERS : 1;
    const fireAt = new Date(T0.getTime() + 100 * 86_400_000);
    t1 = performance.now();
    const runs = await Promise.all(
      Array.from({ length: workers }, () => createScheduler({ db: t.db, registry: new JourneyRegistry(), clock: () => T0, batchSize: 1_000 }).runOnce(fireAt)),
    );
    const seconds = (performance.now() - t1) / 1000;
    const stats = { fired: runs.reduce((n, r) => n + r.fired, 0), enrollments: runs.reduce((n, r) => n + r.enrollments, 0) };
    const [sizeAfter] = await t.db.sql.query<{ bytes: string }>(`SELECT pg_total_relation_size('enrollments')::text AS bytes`);
    const [deliv] = await t.db.sql.query<{ n: string; dupes: string }>(`SELECT count(*)::text AS n, (count(*) - count(DISTINCT key))::text AS dupes FROM deliveries`);
    const claimRate = await bareClaimLoopMedian(t.db.sql, N);

    // Events through the GraphQL batch mutation (1,000 per request), as a server would send them.
    // Customers already exist; each event is recorded and applied to the customer's journey. Three
    // runs over three disjoint sets of customers (each the first event since the firing, as alike
    // as three runs can be); the median is the figure, since one run moves with the machine's noise.
    const now = new Date(T0.getTime() + 100 * 86_400_000 + 60_000);
    // a throw-away key: on PostgreSQL the gateway needs one (SOPLINE_SECRET_KEY), this database is dropped after
    const gateway = await createGateway({ db: t.db, clock: () => now, graphiql: false, secretKey: randomBytes(32).toString("base64") });
    const apiKey = seeded.apiKey;
    const mutation = `mutation Ingest($events: [EventInput!]!) { ingestEvents(events: $events) { accepted duplicates rejected { index code message } } }`;
    const eventRates: number[] = [];
    for (let run = 0; run < EVENT_RUNS; run++) {
      const events = Array.from({ length: EVENTS }, (_, i) => ({ id: `ev-${run}-${i}-${randomBytes(3).toString("hex")}`, customer: `b${run * EVENTS + i}`, ...eventOf(i), at: fireAt.toISOString() }));
      let accepted = 0;
      // As many senders as scheduler workers (several servers post events at once); PGlite has one
      // connection, so its requests run one at a time whatever the number of senders.
      let next = 0;
      const send = async () => {
        for (let i = (next += 1_000) - 1_000; i < events.length; i = (next += 1_000) - 1_000) {
          const res = await gateway.yoga.fetch("http://bench/graphql", {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
            body: JSON.stringify({ query: mutation, variables: { events: events.slice(i, i + 1_000) } }),
          });
          const body = (await res.json()) as { data?: { ingestEvents: { accepted: number } }; errors?: unknown };
          if (!body.data) throw new Error(`ingestEvents failed: ${JSON.stringify(body.errors)}`);
          accepted += body.data.ingestEvents.accepted;
        }
      };
      t1 = performance.now();
      await Promise.all(Array.from({ length: workers }, send));
      eventRates.push(events.length / ((performance.now() - t1) / 1000));
      if (accepted !== events.length) throw new Error(`only ${accepted} of ${events.length} events accepted`);
    }
    await gateway.stop();
    return {
      kind,
      seedSeconds,
      fired: stats.fired,
      stepsPerSec: stats.fired / seconds,
      seconds,
      claimRate,
      ratio: stats.fired / seconds / claimRate,
      workers,
      deliveries: Number(deliv!.n),
      duplicates: Number(deliv!.dupes),
      bytesPerEnrollment,
      bytesPerEnrollmentAfter: Number(sizeAfter!.bytes) / N,
      eventsPerSec: [...eventRates].sort((a, b) => a - b)[1]!,
      eventRates,
    };
  } finally {
    await t.drop();
  }
}

const kinds: TestDatabaseKind[] = values.only ? [values.only as TestDatabaseKind] : ["pglite", "postgres"];
const rows = [];
for (const kind of kinds) {
  const r = await benchKind(kind);
  rows.push(r);
  console.log(JSON.stringify(r));
}
const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
const table = [
  `N = ${N.toLocaleString("en-US")} enrollments × 8 steps, all due (scheduler batches of 1,000); events through the GraphQL \`ingestEvents\` mutation in batches of 1,000 (as many requests in flight as scheduler workers)${CAP === undefined ? "" : `; under a workspace marketing cap of ${CAP} a day (every step a marketing touch)`}${WHERE ? "; events are `content.read` with data, read by a tag rule and a tag transition with `where` (half of them match: tag high-intent, stage move)" : ""}: three runs of ${EVENTS.toLocaleString("en-US")} events, each on its own ${EVENTS.toLocaleString("en-US")} customers, median (all three in brackets); Node runs as the README advises for production: NODE_ENV=${process.env.NODE_ENV ?? "(unset)"}, NODE_OPTIONS=${process.env.NODE_OPTIONS || "(none)"}. PGlite runs on disk (a temp directory), as the embedded default does. Statistics are gathered (ANALYZE) after loading, as autovacuum (on PGlite: the gateway's own maintenance pass) keeps them in a running system. The bare loop is \`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1000) RETURNING\` on a table of ${N.toLocaleString("en-US")} due rows in the same database, same run (median of 3 runs).`,
  "",
  "| database | scheduler workers | steps fired/s | ÷ bare claim-and-update loop | bare loop rows/s | events ingested/s (GraphQL) | bytes per enrollment (pending / after firing) | deliveries | duplicates |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map((r) => `| ${r.kind === "pglite" ? "embedded (PGlite)" : "PostgreSQL 15"} | ${r.workers} | ${fmt(r.stepsPerSec)} | ${(r.ratio * 100).toFixed(0)} % | ${fmt(r.claimRate)} | ${fmt(r.eventsPerSec)} (${r.eventRates.map(fmt).join(", ")}) | ${fmt(r.bytesPerEnrollment)} / ${fmt(r.bytesPerEnrollmentAfter)} | ${fmt(r.deliveries)} | ${r.duplicates} |`),
  "",
  "Steps are computed from the definition: the only row per customer before firing is its enrollment (no row per pending step).",
];
console.log(table.join("\n"));
writeSection(WHERE ? "Gateway with rules on event data (npm run bench:gateway -- --where)" : CAP === undefined ? "Gateway (npm run bench:gateway)" : `Gateway under a marketing cap of ${CAP} a day (npm run bench:gateway -- --cap ${CAP})`, [machine(), "", ...table].join("\n"));
