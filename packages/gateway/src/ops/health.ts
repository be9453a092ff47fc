// GET /healthz (the process answers) and GET /readyz (it can do its job): database reachable,
// migrations applied, scheduler running and not behind; Redis only carries live updates, so Redis
// down is reported as "degraded" but still ready. Every check is bounded by a timeout.
import type { Clock } from "../clock.js";
import type { Database } from "../db/index.js";
import { readMigrations } from "../db/index.js";
import { schedulerLagSeconds } from "./metrics.js";
import { withTimeout } from "./timeout.js";

export interface ReadinessOptions {
  /** Bound on each database check (default 2,000 ms). */
  timeoutMs?: number;
  /** Scheduler lag above which the gateway is not ready (default 60 s). */
  maxLagSeconds?: number;
  /** Directory of migrations to compare with the database (default: the package's). */
  migrationsDir?: string | undefined;
}

export interface ReadinessSources {
  db: Database;
  clock: Clock;
  schedulerRunning: () => boolean;
  redisStatus: () => "disabled" | "connected" | "disconnected";
  /** True while the gateway shuts down: not ready, so balancers stop sending. */
  stopping: () => boolean;
}

export interface Readiness {
  status: "ready" | "degraded" | "unavailable";
  /** Why it is not plainly ready, one line each. */
  reasons: string[];
  checks: {
    database: "ok" | "error";
    migrations: "ok" | "pending" | "unknown";
    scheduler: "running" | "stopped";
    schedulerLagSeconds: number | null;
    redis: "disabled" | "connected" | "disconnected";
  };
}

/** The HTTP status of a readiness answer: 200 when ready or degraded, 503 otherwise. */
export const readinessStatusCode = (r: Readiness): number => (r.status === "unavailable" ? 503 : 200);

/** The readiness check of one gateway (the migrations folder is read once). */
export function createReadinessCheck(sources: ReadinessSources, options: ReadinessOptions = {}): () => Promise<Readiness> {
  const expected = readMigrations(options.migrationsDir).map((m) => m.name);
  return () => checkReadiness(sources, expected, options);
}

async function checkReadiness(sources: ReadinessSources, expectedMigrations: string[], options: ReadinessOptions): Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const maxLag = options.maxLagSeconds ?? 60;
  const failures: string[] = [];
  const warnings: string[] = [];
  const checks: Readiness["checks"] = { database: "ok", migrations: "unknown", scheduler: "stopped", schedulerLagSeconds: null, redis: sources.redisStatus() };

  if (sources.stopping()) failures.push("shutting down");
  try {
    const applied = await withTimeout(
      sources.db.sql.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`),
      timeoutMs,
      "database",
    );
    const names = new Set(applied.map((r) => r.migration_name));
    const pending = expectedMigrations.filter((name) => !names.has(name));
    checks.migrations = pending.length === 0 ? "ok" : "pending";
    if (pending.length > 0) failures.push(`migrations not applied: ${pending.join(", ")}`);
    checks.schedulerLagSeconds = await withTimeout(schedulerLagSeconds(sources.db, sources.clock()), timeoutMs, "database");
  } catch (err) {
    checks.database = "error";
    failures.push(`database: ${(err as Error).message}`);
  }
  checks.scheduler = sources.schedulerRunning() ? "running" : "stopped";
  if (checks.scheduler === "stopped") failures.push("scheduler: not running");
  if (checks.schedulerLagSeconds !== null && checks.schedulerLagSeconds > maxLag) {
    failures.push(`scheduler: ${Math.round(checks.schedulerLagSeconds)} s behind (at most ${maxLag} s)`);
  }
  if (checks.redis === "disconnected") warnings.push("redis: disconnected (live updates across instances paused)");
  const status = failures.length > 0 ? "unavailable" : warnings.length > 0 ? "degraded" : "ready";
  return { status, reasons: [...failures, ...warnings], checks };
}
