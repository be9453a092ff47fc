import type { SqlRunner } from "../db/sql.js";
import { MetricsInputError } from "./errors.js";

export type TargetPeriod = "day" | "week" | "month";
export const TARGET_PERIODS: readonly TargetPeriod[] = ["day", "week", "month"];
/** Most targets per workspace. */
export const MAX_TARGETS = 100;

export interface TargetProgress {
  event: string;
  period: TargetPeriod;
  target: number;
  /** first day of the period containing `at` (China time) */
  periodStart: string;
  /** last day of that period, inclusive */
  periodEnd: string;
  /** events of that name in the period (a staff token: of its own customers) */
  count: number;
  /** count / target */
  progress: number;
}

/** Sets a team target (`target` ≥ 1), or removes it (`target` null). */
export async function setTarget(sql: SqlRunner, workspaceId: string, event: string, period: TargetPeriod, target: number | null): Promise<void> {
  if (event.trim() === "") throw new MetricsInputError("BAD_USER_INPUT", "event", 'expected an event name, e.g. "demo.booked"');
  if (target === null) {
    await sql.execute(`DELETE FROM metric_targets WHERE workspace_id = $1 AND event = $2 AND period = $3`, [workspaceId, event, period]);
    return;
  }
  if (!Number.isInteger(target) || target < 1) throw new MetricsInputError("BAD_USER_INPUT", "target", `expected a whole number of at least 1 (null removes the target), got ${target}`);
  const [count] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM metric_targets WHERE workspace_id = $1 AND NOT (event = $2 AND period = $3)`, [workspaceId, event, period]);
  if ((count?.n ?? 0) >= MAX_TARGETS) throw new MetricsInputError("LIMIT", "event", `a workspace has at most ${MAX_TARGETS} targets`, MAX_TARGETS);
  await sql.execute(
    `INSERT INTO metric_targets (workspace_id, event, period, target) VALUES ($1, $2, $3, $4)
     ON CONFLICT (workspace_id, event, period) DO UPDATE SET target = excluded.target`,
    [workspaceId, event, period, target],
  );
}

/** The first and last day (China time) of the period containing `at`. */
export function periodBounds(period: TargetPeriod, at: Date): { start: string; end: string } {
  const local = new Date(at.getTime() + 8 * 3_600_000); // China time has no DST
  const day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  if (period === "day") return { start: iso(day), end: iso(day) };
  if (period === "week") {
    const monday = day - ((local.getUTCDay() + 6) % 7) * 86_400_000;
    return { start: iso(monday), end: iso(monday + 6 * 86_400_000) };
  }
  return { start: iso(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1)), end: iso(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)) };
}

/** Every target with its count in the period containing `at` (from the rollups: as of the last refresh). */
export async function targetProgress(sql: SqlRunner, workspaceId: string, at: Date, staffId?: string | null): Promise<TargetProgress[]> {
  const targets = await sql.query<{ event: string; period: TargetPeriod; target: number }>(
    `SELECT event, period, target FROM metric_targets WHERE workspace_id = $1 ORDER BY event, period`,
    [workspaceId],
  );
  if (targets.length === 0) return [];
  const bounds = targets.map((t) => periodBounds(t.period, at));
  const counts = await sql.query<{ i: number; n: number }>(
    `SELECT t.i::int AS i, COALESCE((SELECT sum(count) FROM metric_event_daily m
        WHERE m.workspace_id = $1 AND m.name = t.event AND m.day BETWEEN t.lo AND t.hi AND ($5::text IS NULL OR m.staff_id = $5)), 0)::int AS n
     FROM unnest($2::text[], $3::date[], $4::date[]) WITH ORDINALITY AS t(event, lo, hi, i)`,
    [workspaceId, targets.map((t) => t.event), bounds.map((b) => b.start), bounds.map((b) => b.end), staffId ?? null],
  );
  return targets.map((t, i) => {
    const count = counts.find((c) => c.i === i + 1)?.n ?? 0;
    return { event: t.event, period: t.period, target: t.target, periodStart: bounds[i]!.start, periodEnd: bounds[i]!.end, count, progress: count / t.target };
  });
}
