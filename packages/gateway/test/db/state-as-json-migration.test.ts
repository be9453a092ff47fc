import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database";
import type { TestDatabase } from "../../src/db/test-databases";
import { databaseBefore } from "./database-before-migration";
import { seedCustomers, seedWorkspace } from "./helpers";

const MIGRATION = "20261127090000_enrollment_state_as_json";

describe.each(["pglite", "postgres"] as const)("enrollment state from jsonb to json on %s", (kind) => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("keeps every stored state, value for value, and the column's default", async () => {
    // A database as it was before the migration, holding an enrollment.
    const t: TestDatabase = await databaseBefore(kind, MIGRATION, cleanups);
    const state = { journey: "eight", version: 1, customer: "c-1", stage: "new", visit: 1, enteredAt: 1795000000000, clock: 1795000000000, active: 1795000000000, wake: null, done: ["s0", "d1"], last: { weekly: 1795600000000 }, tags: ["中文", 'quote "x"'] };
    const ws = await seedWorkspace(t.db.sql);
    const [customer] = await seedCustomers(t.db.sql, ws, 1);
    await t.db.sql.execute(
      `INSERT INTO enrollments (workspace_id, customer_id, journey_key, journey_version, stage, state) VALUES ($1, $2, 'eight', 1, 'new', $3::jsonb), ($1, $2, 'other', 1, 'new', DEFAULT)`,
      [ws, customer, JSON.stringify(state)],
    );

    await t.db.close();
    t.db = await openDatabase({ url: t.url });
    const [type] = await t.db.sql.query<{ data_type: string }>(`SELECT data_type FROM information_schema.columns WHERE table_name = 'enrollments' AND column_name = 'state'`);
    expect(type!.data_type).toBe("json");
    const rows = await t.db.sql.query<{ journey_key: string; state: unknown }>(`SELECT journey_key, state FROM enrollments ORDER BY journey_key`);
    expect(rows).toEqual([{ journey_key: "eight", state }, { journey_key: "other", state: {} }]);
    await t.db.sql.execute(`INSERT INTO enrollments (workspace_id, customer_id, journey_key, journey_version, stage) VALUES ($1, $2, 'third', 1, 'new')`, [ws, customer]);
    expect(await t.db.sql.query(`SELECT state FROM enrollments WHERE journey_key = 'third'`)).toEqual([{ state: {} }]);
  });
});
