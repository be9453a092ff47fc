import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { maintainDatabase, maintenanceDue, startEmbeddedMaintenance } from "../../src/db/embedded-maintenance.js";
import type { SqlRunner } from "../../src/db/sql.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";

const activity = (live: number, dead: number, insertedSinceVacuum: number, modifiedSinceAnalyze: number) => ({ table: "public.t", live, dead, insertedSinceVacuum, modifiedSinceAnalyze });

describe("maintenanceDue (autovacuum's default thresholds)", () => {
  it.each([
    [activity(10_000, 2_051, 0, 0), "vacuum"], // dead > 50 + 20 % of live
    [activity(10_000, 2_050, 0, 2_050), "analyze"], // not past the dead threshold; modified > 50 + 10 %
    [activity(0, 51, 0, 0), "vacuum"],
    [activity(0, 0, 1_001, 1_001), "vacuum"], // an insert-only table
    [activity(10_000, 0, 3_000, 1_051), "analyze"], // inserts not past 1000 + 20 %, modifications past 50 + 10 %
    [activity(10_000, 100, 100, 1_050), null],
    [activity(0, 0, 0, 0), null],
  ] as const)("%o → %s", (t, expected) => {
    expect(maintenanceDue(t)).toBe(expected);
  });
});

describe("embedded maintenance on PGlite (which has no autovacuum)", () => {
  let t: TestDatabase;
  const stats = async (table: string) =>
    (await t.db.sql.query<{ dead: string; last_vacuum: Date | null; last_analyze: Date | null }>(
      `SELECT n_dead_tup AS dead, last_vacuum, last_analyze FROM pg_stat_user_tables WHERE relname = $1`,
      [table],
    ))[0]!;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    await t?.drop();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("vacuums and analyzes a table full of dead rows, leaves a quiet one alone, and has nothing to do right after", async () => {
    await t.db.sql.execute(`CREATE TABLE churn (id int PRIMARY KEY, v int NOT NULL)`);
    await t.db.sql.execute(`CREATE TABLE quiet (id int PRIMARY KEY)`);
    await t.db.sql.execute(`INSERT INTO churn SELECT g, 0 FROM generate_series(1, 5000) g`);
    await t.db.sql.execute(`INSERT INTO quiet SELECT g FROM generate_series(1, 10) g`);
    await maintainDatabase(t.db.sql); // the initial loads
    await t.db.sql.execute(`UPDATE churn SET v = v + 1`);
    await t.db.sql.execute(`UPDATE churn SET v = v + 1`);
    const run = await maintainDatabase(t.db.sql);
    expect(run.vacuumed).toContain("public.churn");
    expect([...run.vacuumed, ...run.analyzed]).not.toContain("public.quiet");
    await t.db.sql.query(`SELECT pg_stat_force_next_flush()`);
    const after = await stats("churn");
    expect(Number(after.dead)).toBe(0);
    expect(after.last_vacuum).not.toBeNull();
    expect(after.last_analyze).not.toBeNull();
    // The planner now knows the table's values.
    expect(await t.db.sql.query(`SELECT attname FROM pg_stats WHERE tablename = 'churn' ORDER BY attname`)).toEqual([{ attname: "id" }, { attname: "v" }]);
    expect(await maintainDatabase(t.db.sql)).toEqual({ vacuumed: [], analyzed: [] });
  });

  it("runs a pass every interval once started (timer driven, no real waiting) and stop() waits for it", async () => {
    await t.db.sql.execute(`CREATE TABLE churn2 (id int PRIMARY KEY, v int NOT NULL)`);
    await t.db.sql.execute(`INSERT INTO churn2 SELECT g, 0 FROM generate_series(1, 2000) g`);
    await t.db.sql.execute(`UPDATE churn2 SET v = 1`);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let statements = 0;
    const counted: SqlRunner = {
      query: (text, params) => (statements++, t.db.sql.query(text, params)),
      execute: (text, params) => (statements++, t.db.sql.execute(text, params)),
    };
    const logged: string[] = [];
    const maintenance = startEmbeddedMaintenance(counted, { intervalMs: 60_000, log: (m) => logged.push(m) });
    vi.advanceTimersByTime(59_999);
    expect(statements).toBe(0);
    vi.advanceTimersByTime(1);
    expect(statements).toBe(1);
    await maintenance.stop();
    expect((await stats("churn2")).last_vacuum).not.toBeNull();
    expect(logged.join("\n")).toMatch(/vacuumed .*public\.churn2/);
  });

  it("a failed pass is logged and the next interval tries again", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let calls = 0;
    const failing: SqlRunner = {
      async query() {
        calls++;
        throw new Error("connection lost");
      },
      async execute() {
        return 0;
      },
    };
    const logged: string[] = [];
    const maintenance = startEmbeddedMaintenance(failing, { intervalMs: 1_000, log: (m) => logged.push(m) });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(logged).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    await maintenance.stop();
    expect(calls).toBe(2);
    expect(logged[0]).toBe("embedded maintenance: connection lost (failure 1 in a row; next try in 1000 ms)");
  });
});
