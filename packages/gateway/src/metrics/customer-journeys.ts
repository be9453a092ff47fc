import type { SqlRunner } from "../db/sql.js";
import { MAX_TOUCH_BUCKET, weekOf } from "./constants.js";
import { type JourneyGoal, goalParams, goalsTable } from "./goals.js";

/**
 * Recomputes, for the given customers (null: all of the workspace's), their row per journey in
 * metric_customer_journeys — touches that went out (before the conversion, for a converted
 * customer), when they converted — and moves the touches-per-customer histogram by the difference
 * between their old and new rows (one statement: every part reads the rows as they were before it).
 * Customers enrolled without a touch count in the 0 bucket.
 */
export async function recomputeCustomerJourneys(sql: SqlRunner, workspaceId: string, customers: string[] | null, goals: JourneyGoal[]): Promise<void> {
  await sql.execute(
    `WITH en AS (
       SELECT DISTINCT ON (customer_id, journey_key) customer_id, journey_key, COALESCE(staff_id, '') AS staff_id, created_at
       FROM enrollments WHERE workspace_id = $1 AND ($2::text[] IS NULL OR customer_id = ANY($2::text[]))
       ORDER BY customer_id, journey_key, created_at),
     conv AS (
       SELECT en.customer_id, en.journey_key, min(e.at) AS at
       FROM en JOIN ${goalsTable(3)} ON g.journey_key = en.journey_key
       JOIN events e ON e.customer_id = en.customer_id AND e.workspace_id = $1 AND e.name = g.event AND e.at >= en.created_at
         AND (g.within_ms IS NULL OR e.at <= en.created_at + g.within_ms * interval '1 millisecond')
       GROUP BY 1, 2),
     touches AS (
       SELECT t.customer_id, t.journey_key, count(*)::int AS n, array_agg(t.at) AS ats
       FROM metric_touches t WHERE t.workspace_id = $1 AND t.outcome <> 'failed' AND ($2::text[] IS NULL OR t.customer_id = ANY($2::text[]))
       GROUP BY 1, 2),
     fresh AS (
       SELECT en.customer_id, en.journey_key, en.staff_id, ${weekOf("en.created_at")} AS cohort_week, conv.at AS converted_at,
         COALESCE(CASE WHEN conv.at IS NULL THEN tc.n ELSE (SELECT count(*)::int FROM unnest(tc.ats) a WHERE a <= conv.at) END, 0) AS touches
       FROM en LEFT JOIN conv USING (customer_id, journey_key) LEFT JOIN touches tc USING (customer_id, journey_key)),
     old AS (
       SELECT * FROM metric_customer_journeys WHERE workspace_id = $1 AND ($2::text[] IS NULL OR customer_id = ANY($2::text[]))),
     saved AS (
       INSERT INTO metric_customer_journeys AS m (workspace_id, customer_id, journey_key, staff_id, cohort_week, touches, converted_at)
       SELECT $1, customer_id, journey_key, staff_id, cohort_week, touches, converted_at FROM fresh
       ON CONFLICT (customer_id, journey_key) DO UPDATE SET staff_id = excluded.staff_id, cohort_week = excluded.cohort_week,
         touches = excluded.touches, converted_at = excluded.converted_at
       RETURNING 1),
     delta AS (
       SELECT journey_key, staff_id, cohort_week, LEAST(touches, ${MAX_TOUCH_BUCKET}) AS touches, 1 AS customers, (converted_at IS NOT NULL)::int AS converted FROM fresh
       UNION ALL
       SELECT journey_key, staff_id, cohort_week, LEAST(touches, ${MAX_TOUCH_BUCKET}), -1, -((converted_at IS NOT NULL)::int) FROM old)
     INSERT INTO metric_touch_histogram AS h (workspace_id, journey_key, staff_id, cohort_week, touches, customers, converted)
     SELECT $1, journey_key, staff_id, cohort_week, touches, sum(customers), sum(converted) FROM delta
     GROUP BY journey_key, staff_id, cohort_week, touches HAVING sum(customers) <> 0 OR sum(converted) <> 0
     ON CONFLICT (workspace_id, journey_key, staff_id, cohort_week, touches)
       DO UPDATE SET customers = h.customers + excluded.customers, converted = h.converted + excluded.converted`,
    [workspaceId, customers, ...goalParams(goals)],
  );
}
