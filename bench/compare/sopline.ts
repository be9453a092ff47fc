// sopline's own scheduler in the comparison: customers are enrolled (one row each, no row per
// pending step), then the scheduler claims due enrollments, computes their steps from the
// definition and writes one delivery row per step in the same transaction as the new state.
// Time is injected (the clock jumps past day 60) instead of scaled delays.
import { randomBytes } from "node:crypto";
import { createTestDatabase } from "../../packages/gateway/src/db/test-databases.js";
import { JourneyRegistry } from "../../packages/gateway/src/engine/journey-registry.js";
import { createScheduler } from "../../packages/gateway/src/engine/scheduler.js";
import { storeJourney } from "../../packages/gateway/test/engine/fixtures.js";
import { eightStepJourney } from "../lib/eight-step-journey.js";
import { seedEnrollments } from "../lib/seed-enrollments.js";
import { onCleanup, runCleanup } from "./lib/cleanup.js";
import { resultOf } from "./lib/result.js";
import type { Result, RunOptions } from "./types.js";
import { STEPS_PER_CUSTOMER, entryTime } from "./workload.js";
import { pgDurability } from "./lib/pg.js";

export async function run(opts: RunOptions): Promise<Result> {
  const kind = opts.database === "pglite" ? "pglite" : "postgres";
  process.env.SOPLINE_TEST_POSTGRES_URL ??= opts.pgUrl;
  // PGlite in a temp directory like the plain SQL loop's (and like `npm start`'s ./data), not in memory.
  const t = await createTestDatabase(kind, { persistent: true });
  onCleanup("sopline database", () => t.drop());
  try {
    const sql = t.db.sql;
    const [ws] = await sql.query<{ id: string }>(`INSERT INTO workspaces (name, api_key_hash) VALUES ('bench', $1) RETURNING id`, [randomBytes(16).toString("hex")]);
    await storeJourney(sql, ws!.id, eightStepJourney);
    const expected = opts.n * STEPS_PER_CUSTOMER;

    const enqueueStart = performance.now();
    await seedEnrollments(sql, ws!.id, opts.n, (i) => entryTime(i, opts.n));
    const enqueueMs = performance.now() - enqueueStart;
    // Like the other runners: statistics after loading, as autovacuum keeps them in a running system.
    await sql.execute(`ANALYZE`);
    const durability = await pgDurability(async (text, params) => ({ rows: await sql.query(text, params as unknown[] | undefined) }));
    const [size] = await sql.query<{ bytes: string }>(
      // The enrollment (state + wake time + its indexes) is all sopline keeps per customer for the
      // pending steps; the customer record itself is data every system would have elsewhere.
      `SELECT pg_total_relation_size('enrollments')::text AS bytes`,
    );

    // Past day 60 of the last entry: every step is due.
    const now = new Date(entryTime(opts.n - 1, opts.n) + 62 * 86_400_000);
    const workers = kind === "pglite" ? 1 : Math.max(1, opts.concurrency);
    const fireStart = performance.now();
    const stats = await Promise.all(
      Array.from({ length: workers }, () => createScheduler({ db: t.db, registry: new JourneyRegistry(), clock: () => now, batchSize: opts.batchSize }).runOnce(now)),
    );
    const fireMs = performance.now() - fireStart;
    const fired = stats.reduce((n, s) => n + s.fired, 0);
    const [rows] = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM deliveries`);
    const delivered = Number(rows!.n);
    return resultOf({
      system: kind === "pglite" ? "sopline (PGlite)" : "sopline (PostgreSQL)",
      database: kind === "pglite" ? "pglite" : "postgresql",
      n: opts.n,
      expected,
      delivered,
      // A key the engine emitted twice would be one due effect without a new row.
      duplicates: Math.max(0, fired - delivered),
      bytes: Number(size!.bytes),
      enqueueMs,
      fireMs,
      settings: { store: kind === "pglite" ? "PGlite (in-process, temp dir)" : "PostgreSQL (pg.Pool)", batchSize: opts.batchSize, workers, durability },
    });
  } finally {
    await runCleanup();
  }
}
