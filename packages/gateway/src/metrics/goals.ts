import { parseDuration } from "@sopline/core";
import type { SqlRunner } from "../db/sql.js";

/** A journey's conversion goal as the rollups use it. */
export interface JourneyGoal {
  journeyKey: string;
  event: string;
  /** null: any time after entering the journey */
  withinMs: number | null;
}

/** The goal of each journey of the workspace that has one (from its newest active version). */
export async function loadGoals(sql: SqlRunner, workspaceId: string): Promise<JourneyGoal[]> {
  const rows = await sql.query<{ key: string; goal: { event?: unknown; within?: unknown } | null }>(
    `SELECT DISTINCT ON (key) key, definition->'goal' AS goal FROM journeys
     WHERE workspace_id = $1 AND active ORDER BY key, version DESC`,
    [workspaceId],
  );
  const goals: JourneyGoal[] = [];
  for (const r of rows) {
    // Definitions were validated when published: a goal is { event, within? }.
    if (!r.goal || typeof r.goal.event !== "string") continue;
    goals.push({ journeyKey: r.key, event: r.goal.event, withinMs: r.goal.within == null ? null : spanMs(r.goal.within) });
  }
  return goals;
}

/** A goal window in ms (a month counts as 30 days, a day as 24 hours: a window, not a wall-clock time). */
function spanMs(within: unknown): number | null {
  const span = parseDuration(within);
  if (typeof span === "string") return null;
  return span.months * 30 * 86_400_000 + span.days * 86_400_000 + span.ms;
}

/** The goals as the parameters of `goalsTable(n)`: ($n journey keys, $n+1 events, $n+2 ms). */
export const goalParams = (goals: JourneyGoal[]) => [goals.map((g) => g.journeyKey), goals.map((g) => g.event), goals.map((g) => g.withinMs)];
/** SQL: the goals as a table g(journey_key, event, within_ms) from parameters $n … $n+2. */
export const goalsTable = (n: number) => `unnest($${n}::text[], $${n + 1}::text[], $${n + 2}::bigint[]) AS g(journey_key, event, within_ms)`;
