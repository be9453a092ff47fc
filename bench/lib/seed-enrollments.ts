import { defineJourney } from "@sopline/core";
import type { SqlRunner } from "../../packages/gateway/src/db/index.js";
import { eightStepJourney } from "./eight-step-journey.js";

/**
 * Stores `n` customers and their enrollments (entered at `entryAt(i)`, nothing processed yet) in
 * batches of 10,000 rows per statement: one row per customer, none per pending step.
 */
export async function seedEnrollments(sql: SqlRunner, workspaceId: string, n: number, entryAt: (i: number) => number): Promise<void> {
  const journey = defineJourney(eightStepJourney);
  for (let start = 0; start < n; start += 10_000) {
    const size = Math.min(10_000, n - start);
    const ids = await sql.query<{ id: string }>(
      `INSERT INTO customers (workspace_id, external_id) SELECT $1, 'b' || g FROM generate_series($2::int, $3::int) g RETURNING id`,
      [workspaceId, start, start + size - 1],
    );
    const states = ids.map((r, i) => journey.enroll({ id: r.id }, entryAt(start + i)));
    await sql.execute(
      `INSERT INTO enrollments (workspace_id, customer_id, journey_key, journey_version, stage, state, next_wake_at)
       SELECT $1, c, $5, 1, 'new', s, w FROM unnest($2::text[], $3::json[], $4::timestamptz[]) AS v(c, s, w)`,
      [workspaceId, ids.map((r) => r.id), states.map((s) => JSON.stringify(s)), states.map((s) => new Date(s.wake!)), eightStepJourney.id],
    );
  }
}
