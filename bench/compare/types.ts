// The contract every compared system implements. run.ts starts one child
// process per (system, run), calls the runner once and reads its Result.

/** Where a runner keeps its pending work. Ratios compare systems that share one. */
export type DatabaseKind = "postgresql" | "pglite" | "redis";

export interface RunOptions {
  /** Customers entering the stage; each gets 8 steps, so n * 8 steps are expected. */
  n: number;
  /** Steps fired per claim / fetch / group commit. */
  batchSize: number;
  /** Parallel claim loops, pg-boss workers, or BullMQ worker concurrency. */
  concurrency: number;
  /** Steps per enqueue call (multi-row INSERT, addBulk, boss.insert). */
  enqueueBatch: number;
  /** Enqueue calls in flight at once. */
  enqueueConcurrency: number;
  /** For runners that support both PostgreSQL and PGlite. */
  database?: "postgresql" | "pglite";
  /** Admin URL (database `postgres`): runners create and drop their own database. */
  pgUrl: string;
  redisUrl: string;
  /** The 60-day timeline (plus entry stagger) is compressed linearly into this many ms. */
  windowMs: number;
  /** Upper bound for the fire phase; a run never waits longer. */
  maxFireMs: number;
  /** Runner-specific knobs (e.g. pg-boss enqueueMode, BullMQ flushMs). */
  extra?: Record<string, string | number | boolean>;
}

export interface Result {
  system: string;
  database: DatabaseKind;
  /** Steps enqueued per second (n * 8 / enqueue wall time). */
  enqueuePerSec: number;
  /** Distinct steps delivered per second, from fire start to the last committed delivery. */
  firePerSec: number;
  /** Storage held while a customer has all 8 steps pending (bytes / n). */
  bytesPerCustomer: number;
  /** The same storage divided by n * 8 pending steps. */
  bytesPerPendingStep: number;
  /** process.resourceUsage().maxRSS of the child process that ran this system. */
  peakRssMb: number;
  /** Delivery rows that already existed when inserted (fired twice). */
  duplicates: number;
  /** Expected steps with no delivery row at the end. */
  misses: number;
  expected: number;
  enqueueMs: number;
  fireMs: number;
  /** Tuned knobs and durability as actually used, printed in RESULTS.md. */
  settings: Record<string, string | number | boolean>;
}

export type SystemRunner = (opts: RunOptions) => Promise<Result>;

/** Thrown by a runner that exists only as a slot: run.ts prints a skip line, never a number. */
export class NotWiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotWiredError";
  }
}
