// The practical database limit: one row per pending step, claimed in batches with
// FOR UPDATE SKIP LOCKED through a partial index, delivery row in the same statement.
// Runs on PostgreSQL (pg.Pool, parallel claim loops) or PGlite (one connection, one loop).

import { resultOf } from "./lib/result.js";
import { runCleanup } from "./lib/cleanup.js";
import { countDelivered, DELIVERIES_DDL, DeliveryCounter, type Query } from "./lib/deliveries.js";
import { benchPool, createBenchDatabase, pgDurability, poolQuery, relationBytes } from "./lib/pg.js";
import { openPglite } from "./lib/pglite.js";
import { forEachLimit, sleep, yieldToLoop } from "./lib/wait.js";
import type { Result, RunOptions } from "./types.js";
import { STEPS_PER_CUSTOMER, stepBatches } from "./workload.js";

const DDL = [
  `CREATE TABLE due_steps (
     id bigserial PRIMARY KEY,
     key text NOT NULL UNIQUE,          -- idempotency key customer:step
     due timestamptz NOT NULL,
     fired boolean NOT NULL DEFAULT false)`,
  // Partial: a plain index re-scans the already-fired head on every claim (7.5x slower here).
  "CREATE INDEX due_steps_pending ON due_steps (due) WHERE NOT fired",
  DELIVERIES_DDL,
];

const ENQUEUE = `INSERT INTO due_steps (key, due)
  SELECT k, to_timestamp(d / 1000.0) FROM unnest($1::text[], $2::float8[]) AS u(k, d)
  ON CONFLICT (key) DO NOTHING`;

// One statement = one transaction: the claim and its delivery rows commit together.
const CLAIM = `WITH claimed AS (
    UPDATE due_steps SET fired = true
    WHERE id IN (SELECT id FROM due_steps WHERE due <= now() AND NOT fired
                 ORDER BY due LIMIT $1 FOR UPDATE SKIP LOCKED)
    RETURNING key),
  ins AS (INSERT INTO deliveries (key) SELECT key FROM claimed ON CONFLICT DO NOTHING RETURNING 1)
  SELECT (SELECT count(*) FROM claimed)::int AS claimed, (SELECT count(*) FROM ins)::int AS inserted`;

async function open(opts: RunOptions): Promise<{ q: Query; lanes: number; label: string }> {
  if (opts.database === "pglite") {
    const { q } = await openPglite();
    return { q, lanes: 1, label: "PGlite 0.5 (in-process, temp dir)" };
  }
  const db = await createBenchDatabase(opts.pgUrl);
  const pool = benchPool(db.url, Math.max(opts.concurrency, opts.enqueueConcurrency));
  return { q: poolQuery(pool), lanes: Number.POSITIVE_INFINITY, label: "PostgreSQL (pg.Pool)" };
}

export async function run(opts: RunOptions): Promise<Result> {
  try {
    return await measure(opts);
  } finally {
    await runCleanup();
  }
}

async function measure(opts: RunOptions): Promise<Result> {
  const { q, lanes, label } = await open(opts);
  for (const stmt of DDL) await q(stmt);
  const expected = opts.n * STEPS_PER_CUSTOMER;
  // PGlite serialises queries on its single connection: more lanes would only queue.
  const enqueueLanes = Math.min(lanes, opts.enqueueConcurrency);
  const fireLanes = Math.min(lanes, opts.concurrency);

  const t0 = Date.now();
  await forEachLimit(stepBatches(opts.n, opts.enqueueBatch, t0, opts.windowMs), enqueueLanes, async (b) => {
    await q(ENQUEUE, [b.keys, b.due]);
    await yieldToLoop();
  });
  const enqueueMs = Date.now() - t0;
  await q("ANALYZE due_steps");
  const bytes = await relationBytes(q, "due_steps");

  await sleep(Math.max(0, t0 + opts.windowMs - Date.now()));
  globalThis.gc?.();
  const counter = new DeliveryCounter();
  const fireStart = Date.now();
  const deadline = fireStart + opts.maxFireMs;
  await Promise.all(
    Array.from({ length: fireLanes }, async () => {
      // Bounded: stops when a claim finds nothing due, or at the deadline.
      while (Date.now() < deadline) {
        const r = await q(CLAIM, [opts.batchSize]);
        const { claimed, inserted } = r.rows[0];
        if (claimed === 0) break;
        counter.record(claimed, inserted);
        await yieldToLoop();
      }
    }),
  );
  const fireMs = Math.max(1, counter.lastCommitAt - fireStart);
  const delivered = await countDelivered(q);

  return resultOf({
    system: opts.database === "pglite" ? "plain SQL (PGlite)" : "plain SQL (PostgreSQL)",
    database: opts.database === "pglite" ? "pglite" : "postgresql",
    n: opts.n,
    expected,
    delivered,
    duplicates: counter.duplicates,
    bytes,
    enqueueMs,
    fireMs,
    settings: {
      store: label,
      claimBatch: opts.batchSize,
      claimLoops: fireLanes,
      enqueue: `unnest INSERT × ${opts.enqueueBatch} rows, ${enqueueLanes} in flight`,
      index: "partial (due) WHERE NOT fired",
      durability: await pgDurability(q),
    },
  });
}
