// The compared systems, their tuned defaults, and the candidates the --tune sweep tries.
// Defaults = winners of `--tune` at N = 10,000 on this 2-core machine (2026-11-23, shared, load 2-6),
// fire and enqueue knobs picked separately: BullMQ concurrency 50 (vs 200/500/1000, all within
// noise), addBulk 1000 x 2; pg-boss work batch 5000 x 2 workers, insert 1000 x 4; plain SQL on
// PostgreSQL claim 10000 x 2 loops, INSERT 1000 x 2; PGlite claim 5000, INSERT 1000. The winners
// sit at the grid's edge for pg-boss and plain SQL (largest batch) and BullMQ (smallest concurrency).

import type { RunOptions } from "./types.js";

// Fire knobs and enqueue knobs act in separate phases, so the sweep keeps the best of each;
// runner-specific extras are split by phase for the same reason.
export type Knobs = Pick<RunOptions, "batchSize" | "concurrency" | "enqueueBatch" | "enqueueConcurrency"> & {
  fireExtra?: RunOptions["extra"];
  enqueueExtra?: RunOptions["extra"];
};

export interface SystemEntry {
  /** CLI id, e.g. --systems bullmq,pg-boss */
  id: string;
  /** Module file next to this one that exports `run: SystemRunner`. */
  module: "bullmq" | "pg-boss" | "plain-sql" | "sopline";
  database?: "postgresql" | "pglite";
  defaults: Knobs;
  candidates: Knobs[];
}

export const SYSTEMS: SystemEntry[] = [
  {
    id: "bullmq",
    module: "bullmq",
    defaults: { batchSize: 50, concurrency: 50, enqueueBatch: 1000, enqueueConcurrency: 2, fireExtra: { flushMs: 2 } },
    candidates: [
      { batchSize: 50, concurrency: 50, enqueueBatch: 500, enqueueConcurrency: 2, fireExtra: { flushMs: 2 } },
      { batchSize: 200, concurrency: 200, enqueueBatch: 1000, enqueueConcurrency: 2, fireExtra: { flushMs: 2 } },
      { batchSize: 500, concurrency: 500, enqueueBatch: 1000, enqueueConcurrency: 4, fireExtra: { flushMs: 5 } },
      { batchSize: 1000, concurrency: 1000, enqueueBatch: 5000, enqueueConcurrency: 2, fireExtra: { flushMs: 5 } },
    ],
  },
  {
    id: "pg-boss",
    module: "pg-boss",
    defaults: { batchSize: 5000, concurrency: 2, enqueueBatch: 1000, enqueueConcurrency: 4, enqueueExtra: { enqueueMode: "insert" } },
    candidates: [
      { batchSize: 100, concurrency: 4, enqueueBatch: 1000, enqueueConcurrency: 2, enqueueExtra: { enqueueMode: "insert" } },
      { batchSize: 500, concurrency: 4, enqueueBatch: 500, enqueueConcurrency: 2, enqueueExtra: { enqueueMode: "insert" } },
      { batchSize: 1000, concurrency: 2, enqueueBatch: 5000, enqueueConcurrency: 1, enqueueExtra: { enqueueMode: "insert" } },
      { batchSize: 1000, concurrency: 4, enqueueBatch: 1000, enqueueConcurrency: 4, enqueueExtra: { enqueueMode: "insert" } },
      { batchSize: 2000, concurrency: 2, enqueueBatch: 1, enqueueConcurrency: 50, enqueueExtra: { enqueueMode: "send" } },
      { batchSize: 5000, concurrency: 2, enqueueBatch: 2000, enqueueConcurrency: 2, enqueueExtra: { enqueueMode: "insert" } },
    ],
  },
  {
    id: "plain-sql-pg",
    module: "plain-sql",
    database: "postgresql",
    defaults: { batchSize: 10000, concurrency: 2, enqueueBatch: 1000, enqueueConcurrency: 2 },
    candidates: [
      { batchSize: 500, concurrency: 2, enqueueBatch: 1000, enqueueConcurrency: 2 },
      { batchSize: 1000, concurrency: 1, enqueueBatch: 5000, enqueueConcurrency: 1 },
      { batchSize: 1000, concurrency: 2, enqueueBatch: 5000, enqueueConcurrency: 2 },
      { batchSize: 5000, concurrency: 2, enqueueBatch: 10000, enqueueConcurrency: 2 },
      { batchSize: 1000, concurrency: 4, enqueueBatch: 5000, enqueueConcurrency: 4 },
      { batchSize: 10000, concurrency: 2, enqueueBatch: 2000, enqueueConcurrency: 4 },
    ],
  },
  {
    id: "plain-sql-pglite",
    module: "plain-sql",
    database: "pglite",
    defaults: { batchSize: 5000, concurrency: 1, enqueueBatch: 1000, enqueueConcurrency: 1 },
    candidates: [
      { batchSize: 500, concurrency: 1, enqueueBatch: 1000, enqueueConcurrency: 1 },
      { batchSize: 1000, concurrency: 1, enqueueBatch: 5000, enqueueConcurrency: 1 },
      { batchSize: 5000, concurrency: 1, enqueueBatch: 10000, enqueueConcurrency: 1 },
      { batchSize: 10000, concurrency: 1, enqueueBatch: 2000, enqueueConcurrency: 1 },
    ],
  },
  // The slot for sopline itself: sopline.ts throws NotWiredError until the lead wires it.
  {
    id: "sopline-pg",
    module: "sopline",
    database: "postgresql",
    defaults: { batchSize: 1000, concurrency: 2, enqueueBatch: 5000, enqueueConcurrency: 2 },
    candidates: [],
  },
  {
    id: "sopline-pglite",
    module: "sopline",
    database: "pglite",
    defaults: { batchSize: 1000, concurrency: 1, enqueueBatch: 5000, enqueueConcurrency: 1 },
    candidates: [],
  },
];
