// Prometheus metrics of one gateway (prom-client). Each gateway has its own registry, so two
// gateways in one process do not clash; counters are fed by one-line hooks at the call sites
// (scheduler batches, delivery outcomes, event ingest), gauges are read from the database at scrape.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Clock } from "../clock.js";
import type { Database } from "../db/index.js";
import type { DeliveryRecord } from "../delivery/record.js";
import type { AdvancedEnrollment } from "../engine/enrollment-row.js";
import { withTimeout } from "./timeout.js";

export interface GatewayMetrics {
  registry: Registry;
  /** Scheduler hook: a committed batch of advanced enrollments and how long it took. */
  schedulerBatch(batch: { items: readonly AdvancedEnrollment[]; seconds: number }): void;
  /** Delivery worker hook: the outcomes recorded for one channel. */
  deliveriesRecorded(channel: string, records: readonly DeliveryRecord[]): void;
  /** Ingest hook (GraphQL and webhook): the outcome of one batch. */
  eventsIngested(result: { accepted: number; duplicates: number; rejected: readonly unknown[] }): void;
}

export interface MetricsSources {
  db: Database;
  clock: Clock;
  redisStatus: () => "disabled" | "connected" | "disconnected";
  /** Bound on each database read at scrape time (default 2,000 ms). */
  queryTimeoutMs?: number;
}

/** Seconds the oldest due enrollment has waited (0 when nothing is overdue). */
export async function schedulerLagSeconds(db: Database, now: Date): Promise<number> {
  // The partial index on next_wake_at (open enrollments) answers this without a scan.
  const [row] = await db.sql.query<{ oldest: Date | null }>(
    `SELECT min(next_wake_at) AS oldest FROM enrollments WHERE next_wake_at IS NOT NULL AND ended_at IS NULL`,
  );
  const oldest = row?.oldest ? new Date(row.oldest).getTime() : null;
  return oldest === null ? 0 : Math.max(0, (now.getTime() - oldest) / 1000);
}

export function createGatewayMetrics(sources: MetricsSources): GatewayMetrics {
  const registry = new Registry();
  const timeoutMs = sources.queryTimeoutMs ?? 2_000;
  collectDefaultMetrics({ register: registry });

  const fired = new Counter({ name: "sopline_steps_fired_total", help: "Steps fired by the scheduler, by journey and channel", labelNames: ["journey", "channel"], registers: [registry] });
  const skipped = new Counter({ name: "sopline_steps_skipped_total", help: "Steps recorded as skipped by the scheduler, by journey, channel and reason", labelNames: ["journey", "channel", "reason"], registers: [registry] });
  const batchSeconds = new Histogram({
    name: "sopline_scheduler_batch_duration_seconds",
    help: "Duration of one scheduler batch (claim to commit)",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const deliveries = new Counter({ name: "sopline_deliveries_total", help: "Delivery outcomes recorded, by channel, outcome (sent, pending, failed, retry) and provider code", labelNames: ["channel", "outcome", "provider_code"], registers: [registry] });
  const events = new Counter({ name: "sopline_events_ingested_total", help: "Events ingested (GraphQL and webhook), by outcome (accepted, duplicate, rejected)", labelNames: ["outcome"], registers: [registry] });
  for (const outcome of ["accepted", "duplicate", "rejected"]) events.inc({ outcome }, 0);

  const dbRead = <T>(read: () => Promise<T>) => withTimeout(read(), timeoutMs, "metrics database read");
  new Gauge({
    name: "sopline_scheduler_lag_seconds",
    help: "Now minus the oldest due wake time of an open enrollment (0 when nothing is overdue)",
    registers: [registry],
    async collect() {
      this.set(await dbRead(() => schedulerLagSeconds(sources.db, sources.clock())));
    },
  });
  new Gauge({
    name: "sopline_open_tasks",
    help: "Staff tasks with status open",
    registers: [registry],
    async collect() {
      const [row] = await dbRead(() => sources.db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE status = 'open'`));
      this.set(Number(row?.n ?? 0));
    },
  });
  new Gauge({
    name: "sopline_db_pool_in_use",
    help: "Database connections checked out of the pool",
    registers: [registry],
    collect() {
      this.set(sources.db.pool.totalCount - sources.db.pool.idleCount);
    },
  });
  if (sources.redisStatus() !== "disabled") {
    new Gauge({
      name: "sopline_redis_connected",
      help: "1 when Redis (live updates across instances) is connected, 0 when not; absent without Redis",
      registers: [registry],
      collect() {
        this.set(sources.redisStatus() === "connected" ? 1 : 0);
      },
    });
  }

  return {
    registry,
    schedulerBatch({ items, seconds }) {
      batchSeconds.observe(seconds);
      for (const { row, effects } of items) {
        for (const e of effects) {
          if (e.type === "step.due") fired.inc({ journey: row.journey_key, channel: e.channel });
          else if (e.type === "step.skipped") skipped.inc({ journey: row.journey_key, channel: e.channel, reason: e.reason });
        }
      }
    },
    deliveriesRecorded(channel, records) {
      for (const r of records) {
        deliveries.inc({ channel, outcome: r.status === "due" ? "retry" : r.status, provider_code: r.providerError ?? "" });
      }
    },
    eventsIngested(result) {
      events.inc({ outcome: "accepted" }, result.accepted);
      events.inc({ outcome: "duplicate" }, result.duplicates);
      events.inc({ outcome: "rejected" }, result.rejected.length);
    },
  };
}
