import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertSkippingStored } from "../../src/db/insert-skipping-stored.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";

const PLAIN = `INSERT INTO skip_probe (k, v) SELECT * FROM unnest($1::text[], $2::int[]) RETURNING k`;
const SKIPPING = `INSERT INTO skip_probe (k, v) SELECT * FROM unnest($1::text[], $2::int[]) ON CONFLICT (k) DO NOTHING RETURNING k`;

describe.each(["pglite", "postgres"] as const)("insertSkippingStored on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await t.db.sql.execute(`CREATE TABLE skip_probe (k text PRIMARY KEY, v int NOT NULL CHECK (v >= 0))`);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("inserts a batch with no stored key as it is and returns its rows", async () => {
    const rows = await t.db.sql.transaction((tx) => insertSkippingStored<{ k: string }>(tx, PLAIN, SKIPPING, [["a", "b"], [1, 2]]));
    expect(rows.map((r) => r.k).sort()).toEqual(["a", "b"]);
  });

  it("skips stored keys (and a key twice in one batch), keeps the rest and leaves the transaction usable", async () => {
    const rows = await t.db.sql.transaction(async (tx) => {
      const inserted = await insertSkippingStored<{ k: string }>(tx, PLAIN, SKIPPING, [["a", "c", "d", "d"], [9, 3, 4, 5]]);
      await tx.execute(`INSERT INTO skip_probe (k, v) VALUES ('after', 0)`);
      return inserted;
    });
    expect(rows.map((r) => r.k).sort()).toEqual(["c", "d"]);
    const stored = await t.db.sql.query<{ k: string; v: number }>(`SELECT k, v FROM skip_probe ORDER BY k`);
    // The stored "a" keeps its value; "d" is the batch's first.
    expect(stored).toEqual([{ k: "a", v: 1 }, { k: "after", v: 0 }, { k: "b", v: 2 }, { k: "c", v: 3 }, { k: "d", v: 4 }]);
  });

  it("rethrows any other error and leaves nothing of the batch", async () => {
    await expect(t.db.sql.transaction((tx) => insertSkippingStored(tx, PLAIN, SKIPPING, [["e", "f"], [1, -1]]))).rejects.toMatchObject({ code: "23514" });
    expect(await t.db.sql.query(`SELECT k FROM skip_probe WHERE k IN ('e', 'f')`)).toEqual([]);
  });
});
