// pg-boss 10: one job per step (id derived from customer:step, so a re-send is a no-op),
// workers with batchSize writing delivery rows to the same PostgreSQL database.

import { resultOf } from "./lib/result.js";
import { createHash } from "node:crypto";
import PgBoss from "pg-boss";
import { onCleanup, runCleanup } from "./lib/cleanup.js";
import { countDelivered, DELIVERIES_DDL, DeliveryCounter, insertDeliveries } from "./lib/deliveries.js";
import { benchPool, createBenchDatabase, pgDurability, poolQuery, relationBytes } from "./lib/pg.js";
import { forEachLimit, sleep, waitFor } from "./lib/wait.js";
import type { Result, RunOptions } from "./types.js";
import { STEPS_PER_CUSTOMER, stepBatches } from "./workload.js";

const QUEUE = "sop-steps";

/** A deterministic UUID per idempotency key: pg-boss dedups on its (name, id) primary key. */
function keyId(key: string): string {
  const h = createHash("sha1").update(key).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function run(opts: RunOptions): Promise<Result> {
  try {
    return await measure(opts);
  } finally {
    await runCleanup();
  }
}

async function measure(opts: RunOptions): Promise<Result> {
  const mode = String(opts.extra?.enqueueMode ?? "insert");
  const db = await createBenchDatabase(opts.pgUrl);
  const sink = benchPool(db.url, opts.concurrency + 1);
  const q = poolQuery(sink);
  await q(DELIVERIES_DDL);

  const boss = new PgBoss({ connectionString: db.url, max: opts.concurrency + opts.enqueueConcurrency + 2, schedule: false });
  const errors: Error[] = [];
  boss.on("error", (e) => errors.push(e));
  await boss.start();
  onCleanup("boss.stop()", () => boss.stop({ graceful: true, wait: true, timeout: 10_000 }));
  await boss.createQueue(QUEUE);
  // v10 keeps each queue in its own partition of pgboss.job.
  const part = (await q("SELECT partition_name AS p FROM pgboss.queue WHERE name = $1", [QUEUE])).rows[0].p;
  const jobTable = `pgboss.${part}`;
  const bytes0 = await relationBytes(q, jobTable);
  const expected = opts.n * STEPS_PER_CUSTOMER;

  const t0 = Date.now();
  await forEachLimit(stepBatches(opts.n, opts.enqueueBatch, t0, opts.windowMs), opts.enqueueConcurrency, async (b) => {
    if (mode === "send") {
      for (let i = 0; i < b.keys.length; i++) {
        const k = b.keys[i]!;
        await boss.send(QUEUE, { k }, { id: keyId(k), singletonKey: k, startAfter: new Date(b.due[i]!) });
      }
    } else {
      await boss.insert(
        b.keys.map((k, i) => ({ name: QUEUE, id: keyId(k), data: { k }, singletonKey: k, startAfter: new Date(b.due[i]!).toISOString() })),
      );
    }
  });
  const enqueueMs = Date.now() - t0;
  await q("ANALYZE pgboss.job");
  const bytes = (await relationBytes(q, jobTable)) - bytes0;

  await sleep(Math.max(0, t0 + opts.windowMs - Date.now()));
  globalThis.gc?.();
  const counter = new DeliveryCounter();
  const fireStart = Date.now();
  for (let w = 0; w < opts.concurrency; w++) {
    let workerId: string | undefined;
    workerId = await boss.work<{ k: string }>(QUEUE, { batchSize: opts.batchSize, pollingIntervalSeconds: 0.5 }, async (jobs) => {
      await insertDeliveries(q, jobs.map((j) => j.data.k), counter);
      // A full batch means more are due: skip the 0.5 s poll wait (public API, documented tuning).
      if (jobs.length === opts.batchSize && workerId) boss.notifyWorker(workerId);
    });
  }
  const outcome = await waitFor(() => counter.inserted >= expected, () => counter.attempted, {
    idleMs: 5_000,
    maxMs: opts.maxFireMs,
  });
  const fireMs = Math.max(1, counter.lastCommitAt - fireStart);
  await boss.offWork(QUEUE);
  const delivered = await countDelivered(q);
  if (outcome !== "done" || errors.length > 0) {
    console.error(`[pg-boss] fire phase ended: ${outcome}; ${errors.length} errors ${errors[0]?.message ?? ""}`);
  }

  return resultOf({
    system: "pg-boss 10",
    database: "postgresql",
    n: opts.n,
    expected,
    delivered,
    duplicates: counter.duplicates,
    bytes,
    enqueueMs,
    fireMs,
    settings: {
      workBatchSize: opts.batchSize,
      workers: opts.concurrency,
      polling: "0.5 s, notifyWorker after a full batch",
      enqueue:
        mode === "send"
          ? `boss.send one by one, ${opts.enqueueConcurrency} in flight`
          : `boss.insert × ${opts.enqueueBatch} jobs, ${opts.enqueueConcurrency} in flight`,
      idempotency: "job id = uuid(sha1(customer:step)), singletonKey = customer:step",
      durability: await pgDurability(q),
    },
  });
}
