import { createPolling } from "./polling.js";
import type { Database } from "../db/index.js";
import type { Clock } from "../clock.js";
import { publishNotices } from "../live/publish-notices.js";
import type { LivePubSub } from "../live/pubsub.js";
import { type AdvancedEnrollment, ENROLLMENT_COLUMNS, type EnrollmentRow } from "./enrollment-row.js";
import type { JourneyRegistry } from "./journey-registry.js";
import { type Notices, emptyNotices, persistAdvances } from "./persist-advances.js";
import { escalateOverdue } from "../opportunities/escalation.js";

/** Points inside one batch where a test can make the worker die (see scheduler tests). */
export type CrashPoint = "after-claim" | "after-advance" | "after-persist" | "before-commit";

export interface SchedulerOptions {
  db: Database;
  registry: JourneyRegistry;
  pubsub?: LivePubSub;
  clock: Clock;
  /** Enrollments claimed per transaction (default 1,000). */
  batchSize?: number;
  /** Real-time polling interval for start() (default 1,000 ms). */
  intervalMs?: number;
  /** Test hook: called at each crash point; throwing there simulates the worker dying. */
  onPoint?: (point: CrashPoint, batch: number) => void | Promise<void>;
  /** Metrics hook: each committed batch, its advanced enrollments and how long it took. */
  onBatch?: (batch: { items: readonly AdvancedEnrollment[]; seconds: number }) => void;
  log?: (message: string) => void;
}

export interface RunStats {
  batches: number;
  enrollments: number;
  fired: number;
  skipped: number;
  tasks: number;
}

export interface Scheduler {
  /** Fires everything due at `now` (default: the clock), batch after batch, until nothing is due. */
  runOnce(now?: Date): Promise<RunStats>;
  /** Polls in real time until stop(). */
  start(): void;
  stop(): Promise<void>;
}

// Enrollments whose wake time has come, oldest first, locked for this transaction only: other
// workers and gateway processes skip them (SKIP LOCKED), and a crash before commit releases them
// with nothing written — so no step is lost and none fires twice.
const CLAIM = `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments
  WHERE next_wake_at <= $1 AND ended_at IS NULL
  ORDER BY next_wake_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED`;

/**
 * The exactly-once scheduler: claim due enrollments → advance them with the core → write states,
 * deliveries and tasks in the same transaction → publish after commit.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { db, registry, clock } = options;
  const batchSize = options.batchSize ?? 1_000;

  async function runBatch(now: Date, batch: number): Promise<{ claimed: number; notices: Notices }> {
    const notices = emptyNotices();
    const started = performance.now();
    let advanced: AdvancedEnrollment[] = [];
    const claimed = await db.sql.transaction(async (tx) => {
      const rows = await tx.query<EnrollmentRow>(CLAIM, [now, batchSize]);
      if (rows.length === 0) return 0;
      await options.onPoint?.("after-claim", batch);
      await registry.load(tx, rows.map((r) => ({ workspaceId: r.workspace_id, key: r.journey_key, version: r.journey_version })));
      const at = now.getTime();
      // A tick does at most the core's TICK_BUDGET of work per enrollment: one with a backlog stays
      // due (its next_wake_at in the past) and continues next run, so it never holds the batch.
      const items: AdvancedEnrollment[] = rows.map((row) => {
        const journey = registry.get(row.workspace_id, row.journey_key, row.journey_version);
        const { state, effects } = journey.advance(row.state, { type: "tick", at });
        return { row, state, effects, journey };
      });
      advanced = items;
      await options.onPoint?.("after-advance", batch);
      await persistAdvances(tx, items, notices);
      await options.onPoint?.("after-persist", batch);
      await options.onPoint?.("before-commit", batch);
      return rows.length;
    });
    if (claimed > 0) options.onBatch?.({ items: advanced, seconds: (performance.now() - started) / 1000 });
    return { claimed, notices };
  }

  async function runOnce(now: Date = clock()): Promise<RunStats> {
    const stats: RunStats = { batches: 0, enrollments: 0, fired: 0, skipped: 0, tasks: 0 };
    for (;;) {
      const { claimed, notices } = await runBatch(now, stats.batches);
      if (claimed === 0) break;
      stats.batches++;
      stats.enrollments += claimed;
      stats.fired += notices.fired;
      stats.skipped += notices.skipped;
      stats.tasks += notices.tasks.length;
      if (options.pubsub) publishNotices(options.pubsub, notices);
      if (claimed < batchSize || stopRequested) break; // stop(): the current batch committed, leave the rest to the next start
    }
    // Opportunities left waiting too long go on their staff member's lead's feed (one indexed query).
    const escalations = emptyNotices();
    if ((await escalateOverdue(db.sql, now, escalations)) > 0 && options.pubsub) publishNotices(options.pubsub, escalations);
    return stats;
  }

  const polling = createPolling("scheduler", () => runOnce(), options.intervalMs ?? 1_000, options.log);
  let stopRequested = false;

  return {
    runOnce,
    start: polling.start,
    async stop() {
      stopRequested = true;
      await polling.stop().finally(() => (stopRequested = false));
    },
  };
}
