import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database";
import { createTestDatabase, type TestDatabase } from "../../src/db/test-databases";
import { databaseBefore } from "./database-before-migration";
import { seedCustomers, seedWorkspace } from "./helpers";

const MIGRATION = "20261128090000_enrollment_owner_index";

describe.each(["pglite", "postgres"] as const)("one enrollment index for uniqueness and customer lookups on %s", (kind) => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("keeps the stored enrollments, still refuses a second running one and accepts any number of ended ones", async () => {
    // A database as it was before the migration: one customer with a running enrollment and two
    // ended ones of the same journey and owner, and one with a staff member's enrollment.
    const t: TestDatabase = await databaseBefore(kind, MIGRATION, cleanups);
    const ws = await seedWorkspace(t.db.sql);
    const [a, b] = await seedCustomers(t.db.sql, ws, 2);
    const insert = (customer: string, owner: string, ended: string | null) =>
      t.db.sql.execute(
        `INSERT INTO enrollments (workspace_id, customer_id, journey_key, journey_version, stage, owner_key, ended_at) VALUES ($1, $2, 'j', 1, 'new', $3, $4)`,
        [ws, customer, owner, ended],
      );
    await insert(a!, "", "2026-11-01T00:00:00Z");
    await insert(a!, "", "2026-11-01T00:00:00Z");
    await insert(a!, "", null);
    await insert(b!, "staff-1", null);

    await t.db.close();
    t.db = await openDatabase({ url: t.url });
    const indexes = await t.db.sql.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'enrollments' ORDER BY indexname`);
    expect(indexes.map((i) => i.indexname)).toEqual(["enrollments_owner_key", "enrollments_pkey", "enrollments_wake_idx", "enrollments_workspace_id_journey_key_stage_idx"]);
    expect(await t.db.sql.query(`SELECT customer_id, owner_key, ended_at IS NOT NULL AS ended FROM enrollments ORDER BY customer_id = $1 DESC, ended`, [a])).toEqual([
      { customer_id: a, owner_key: "", ended: false },
      { customer_id: a, owner_key: "", ended: true },
      { customer_id: a, owner_key: "", ended: true },
      { customer_id: b, owner_key: "staff-1", ended: false },
    ]);

    // A second running enrollment of the same customer, journey and owner is refused...
    await expect(insert(a!, "", null)).rejects.toMatchObject({ code: "23505" });
    await expect(insert(b!, "staff-1", null)).rejects.toMatchObject({ code: "23505" });
    // ...another owner, or one more ended run (even at the same instant), is not.
    await insert(b!, "", null);
    await insert(a!, "", "2026-11-01T00:00:00Z");
    // Ending the running one frees the key for a new run.
    await t.db.sql.execute(`UPDATE enrollments SET ended_at = now() WHERE customer_id = $1 AND ended_at IS NULL`, [a]);
    await insert(a!, "", null);
    const [count] = await t.db.sql.query<{ running: number; ended: number }>(
      `SELECT count(*) FILTER (WHERE ended_at IS NULL)::int AS running, count(*) FILTER (WHERE ended_at IS NOT NULL)::int AS ended FROM enrollments WHERE customer_id = $1`,
      [a],
    );
    expect(count).toEqual({ running: 1, ended: 4 });
  });

  it("finds a customer's enrollments, ended ones included, through the index", async () => {
    const t: TestDatabase = await createTestDatabase(kind);
    cleanups.push(() => t.drop());
    const ws = await seedWorkspace(t.db.sql);
    const [a] = await seedCustomers(t.db.sql, ws, 1);
    await t.db.sql.execute(`SET enable_seqscan = off`);
    const plan = await t.db.sql.query<{ "QUERY PLAN": string }>(`EXPLAIN SELECT id FROM enrollments WHERE customer_id = $1`, [a]);
    expect(plan.map((p) => p["QUERY PLAN"]).join("\n")).toContain("enrollments_owner_key");
  });
});
