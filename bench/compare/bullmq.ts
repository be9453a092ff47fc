// BullMQ 5: one delayed job per step (jobId from customer:step, so a re-add is a no-op while
// pending). Worker jobs complete only after their delivery row is committed in PostgreSQL
// (group commit across concurrent jobs). Storage = Redis used_memory delta.

import { resultOf } from "./lib/result.js";
import { Queue, Worker } from "bullmq";
import { onCleanup, runCleanup } from "./lib/cleanup.js";
import { countDelivered, DELIVERIES_DDL, DeliveryCounter } from "./lib/deliveries.js";
import { GroupCommitter } from "./lib/group-commit.js";
import { benchPool, createBenchDatabase, pgDurability, poolQuery } from "./lib/pg.js";
import { benchPrefix, deletePrefix, redisClient, redisDurability, usedMemory } from "./lib/redis.js";
import { forEachLimit, sleep, waitFor } from "./lib/wait.js";
import type { Result, RunOptions } from "./types.js";
import { STEPS_PER_CUSTOMER, stepBatches } from "./workload.js";

const QUEUE = "sop-steps";

export async function run(opts: RunOptions): Promise<Result> {
  try {
    return await measure(opts);
  } finally {
    await runCleanup();
  }
}

async function measure(opts: RunOptions): Promise<Result> {
  const flushMs = Number(opts.extra?.flushMs ?? 2);
  const db = await createBenchDatabase(opts.pgUrl);
  const pool = benchPool(db.url, 4);
  const q = poolQuery(pool);
  await q(DELIVERIES_DDL);

  const redis = redisClient(opts.redisUrl);
  const prefix = benchPrefix();
  // Registered after quit, so it runs before it (cleanup is last-in first-out).
  onCleanup(`delete redis keys ${prefix}:*`, () => deletePrefix(redis, prefix));
  const u = new URL(opts.redisUrl);
  const connection = { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
  const queue = new Queue(QUEUE, { connection, prefix });
  onCleanup("queue.close()", () => queue.close());
  await queue.waitUntilReady();
  const mem0 = await usedMemory(redis);
  const expected = opts.n * STEPS_PER_CUSTOMER;

  const t0 = Date.now();
  await forEachLimit(stepBatches(opts.n, opts.enqueueBatch, t0, opts.windowMs), opts.enqueueConcurrency, async (b) => {
    const now = Date.now();
    await queue.addBulk(
      b.keys.map((k, i) => ({
        name: "step",
        data: { k },
        // BullMQ forbids ":" in custom ids; delay >= 1 keeps every job on the delayed path.
        opts: { jobId: k.replace(":", "-"), delay: Math.max(1, b.due[i]! - now), removeOnComplete: true },
      })),
    );
  });
  const enqueueMs = Date.now() - t0;
  const bytes = (await usedMemory(redis)) - mem0;

  await sleep(Math.max(0, t0 + opts.windowMs - Date.now()));
  globalThis.gc?.();
  const counter = new DeliveryCounter();
  const committer = new GroupCommitter(q, counter, opts.batchSize, flushMs);
  const fireStart = Date.now();
  const worker = new Worker<{ k: string }>(QUEUE, (job) => committer.add(job.data.k), {
    connection,
    prefix,
    concurrency: opts.concurrency,
  });
  onCleanup("worker.close()", () => worker.close());
  const failures: string[] = [];
  worker.on("failed", (_job, err) => failures.push(err.message));
  worker.on("error", (err) => failures.push(err.message));
  const outcome = await waitFor(() => counter.inserted >= expected, () => counter.attempted, {
    idleMs: 5_000,
    maxMs: opts.maxFireMs,
  });
  const fireMs = Math.max(1, counter.lastCommitAt - fireStart);
  await worker.close();
  const delivered = await countDelivered(q);
  if (outcome !== "done" || failures.length > 0) {
    console.error(`[bullmq] fire phase ended: ${outcome}; ${failures.length} failures ${failures[0] ?? ""}`);
  }

  return resultOf({
    system: "BullMQ 5",
    database: "redis",
    n: opts.n,
    expected,
    delivered,
    duplicates: counter.duplicates,
    bytes,
    enqueueMs,
    fireMs,
    settings: {
      workerConcurrency: opts.concurrency,
      groupCommit: `≤ ${opts.batchSize} rows or ${flushMs} ms`,
      enqueue: `addBulk × ${opts.enqueueBatch} jobs, ${opts.enqueueConcurrency} in flight`,
      jobs: "delayed, removeOnComplete",
      idempotency: "jobId = customer-step (dedups while pending)",
      durability: `Redis ${await redisDurability(redis)}; deliveries in PostgreSQL ${await pgDurability(q)}`,
    },
  });
}
