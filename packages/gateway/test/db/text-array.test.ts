import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textArray } from "../../src/db/text-array.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";

describe.each(["pglite", "postgres"] as const)("textArray on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("reads back exactly what was sent, whatever the characters", async () => {
    const values = ["plain", "", "NULL", "with \"quotes\"", "back\\slash", "a,b", "{braces}", " spaced ", "新客 new", '{"json":"state","n":[1,2]}', null];
    const [row] = await t.db.sql.query<{ v: (string | null)[] }>(`SELECT $1::text[] AS v`, [textArray(values)]);
    expect(row!.v).toEqual(values);
  });

  it("serves int and timestamptz arrays too", async () => {
    const [row] = await t.db.sql.query<{ n: number[]; at: Date[] }>(`SELECT $1::int[] AS n, $2::timestamptz[] AS at`, [textArray([1, 20, 300]), textArray(["2026-11-23T01:00:00.000Z"])]);
    expect(row).toEqual({ n: [1, 20, 300], at: [new Date("2026-11-23T01:00:00.000Z")] });
  });

  it("an empty list is an empty array", async () => {
    const [row] = await t.db.sql.query<{ v: string[] }>(`SELECT $1::text[] AS v`, [textArray([])]);
    expect(row!.v).toEqual([]);
  });
});
