import type { Sql, SqlRunner } from "../../db/index.js";

/** One row of maintained counts: active enrollments of a journey stage by enrollment owner and customer's staff member ('' = none). */
export interface StageCountRow {
  journey_key: string;
  stage: string;
  owner_key: string;
  customer_staff: string;
  n: number;
}

/**
 * The workspace's counts, in one statement that also folds its appended deltas into stage_counts.
 * Every part of a statement sees the same snapshot, so counts + deltas read before the fold are
 * exactly what a GROUP BY over the enrollments would see. The fold runs under a transaction
 * advisory lock taken with try: when another fold holds it this one just reads.
 */
export async function readStageCounts(sql: SqlRunner, workspaceId: string): Promise<StageCountRow[]> {
  return sql.query<StageCountRow>(
    `WITH lock AS (SELECT pg_try_advisory_xact_lock(730211, hashtext($1)) AS ok),
     gone AS (
       DELETE FROM stage_count_deltas WHERE workspace_id = $1 AND (SELECT ok FROM lock)
       RETURNING journey_key, stage, owner_key, customer_staff, delta
     ),
     folded AS (
       INSERT INTO stage_counts (workspace_id, journey_key, stage, owner_key, customer_staff, n)
       SELECT $1, journey_key, stage, owner_key, customer_staff, sum(delta) FROM gone
       GROUP BY journey_key, stage, owner_key, customer_staff ORDER BY 2, 3, 4, 5
       ON CONFLICT (workspace_id, journey_key, stage, owner_key, customer_staff) DO UPDATE SET n = stage_counts.n + EXCLUDED.n
     )
     SELECT journey_key, stage, owner_key, customer_staff, sum(n)::int AS n FROM (
       SELECT journey_key, stage, owner_key, customer_staff, n FROM stage_counts WHERE workspace_id = $1
       UNION ALL
       SELECT journey_key, stage, owner_key, customer_staff, delta FROM stage_count_deltas WHERE workspace_id = $1
     ) c GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0`,
    [workspaceId],
  );
}

/**
 * Rebuilds a workspace's counts from the enrollments (one GROUP BY): for a repair, or after a bulk
 * load that bypassed the triggers. Locks enrollments against writes while it runs.
 */
export async function rebuildStageCounts(sql: Sql, workspaceId: string): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.execute(`LOCK TABLE enrollments IN SHARE MODE`);
    await tx.execute(`DELETE FROM stage_count_deltas WHERE workspace_id = $1`, [workspaceId]);
    await tx.execute(`DELETE FROM stage_counts WHERE workspace_id = $1`, [workspaceId]);
    await tx.execute(
      `INSERT INTO stage_counts (workspace_id, journey_key, stage, owner_key, customer_staff, n)
       SELECT e.workspace_id, e.journey_key, e.stage, COALESCE(e.staff_id, ''), COALESCE(c.staff_id, ''), count(*)
       FROM enrollments e JOIN customers c ON c.id = e.customer_id
       WHERE e.workspace_id = $1 AND e.ended_at IS NULL GROUP BY 1, 2, 3, 4, 5`,
      [workspaceId],
    );
  });
}
