import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace } from "../../src/auth/keys.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { readStageCounts, rebuildStageCounts } from "../../src/graphql/services/stage-counts.js";
import { rng } from "../seeded-random.js";

const KINDS = ["pglite", "postgres"] as const;

const key = (r: { journey_key: string; stage: string; owner_key: string; customer_staff: string; n: number }) => `${r.journey_key}/${r.stage}/${r.owner_key}/${r.customer_staff}=${r.n}`;

describe.each(KINDS)("maintained stage counts on %s", (kind) => {
  let t: TestDatabase;
  let ws: string;
  const staff: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    ws = (await createWorkspace(t.db.sql, { name: "counts" })).id;
    for (const s of ["s1", "s2", "s3"]) {
      const [row] = await t.db.sql.query<{ id: string }>(`INSERT INTO staff (workspace_id, external_id, name) VALUES ($1, $2, $2) RETURNING id`, [ws, s]);
      staff.push(row!.id);
    }
  });
  afterAll(() => t?.drop());

  /** What the board used to compute per request: one GROUP BY over the enrollments. */
  async function groupBy(): Promise<string[]> {
    const rows = await t.db.sql.query<{ journey_key: string; stage: string; owner_key: string; customer_staff: string; n: number }>(
      `SELECT e.journey_key, e.stage, COALESCE(e.staff_id, '') AS owner_key, COALESCE(c.staff_id, '') AS customer_staff, count(*)::int AS n
       FROM enrollments e JOIN customers c ON c.id = e.customer_id WHERE e.workspace_id = $1 AND e.ended_at IS NULL GROUP BY 1, 2, 3, 4`,
      [ws],
    );
    return rows.map(key).sort();
  }
  const counts = async () => (await readStageCounts(t.db.sql, ws)).map(key).sort();

  it("stay equal to a fresh GROUP BY through enrolls, moves, ends, handovers, reassignments and deletions", async () => {
    const random = rng(16);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const stages = ["new", "interested", "quiet"];
    let n = 0;
    const sql = t.db.sql;
    const enrollmentIds = async () => (await sql.query<{ id: string }>(`SELECT id FROM enrollments WHERE workspace_id = $1 ORDER BY id`, [ws])).map((r) => r.id);
    const customerIds = async () => (await sql.query<{ id: string }>(`SELECT id FROM customers WHERE workspace_id = $1 ORDER BY id`, [ws])).map((r) => r.id);
    const enroll = async () => {
      const [c] = await sql.query<{ id: string }>(`INSERT INTO customers (workspace_id, external_id, staff_id) VALUES ($1, $2, $3) RETURNING id`, [ws, `c${++n}`, random() < 0.2 ? null : pick(staff)]);
      const owner = random() < 0.3 ? null : pick(staff);
      await sql.execute(`INSERT INTO enrollments (workspace_id, customer_id, journey_key, journey_version, staff_id, owner_key, stage) VALUES ($1, $2, $3, 1, $4, $5, $6)`, [ws, c!.id, pick(["sales", "vip"]), owner, owner ?? "", pick(stages)]);
    };
    for (let i = 0; i < 40; i++) await enroll();
    expect(await counts()).toEqual(await groupBy());

    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < 25; i++) {
        const op = random();
        const es = await enrollmentIds();
        if (op < 0.15) await enroll();
        else if (op < 0.45) await sql.execute(`UPDATE enrollments SET stage = $2 WHERE id = $1`, [pick(es), pick(stages)]);
        else if (op < 0.55) await sql.execute(`UPDATE enrollments SET ended_at = now() WHERE id = $1`, [pick(es)]);
        else if (op < 0.6) await sql.execute(`UPDATE enrollments SET ended_at = NULL WHERE id = $1 AND ended_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM enrollments o WHERE o.customer_id = enrollments.customer_id AND o.journey_key = enrollments.journey_key AND o.owner_key = enrollments.owner_key AND o.ended_at IS NULL)`, [pick(es)]);
        else if (op < 0.7) {
          const to = random() < 0.2 ? null : pick(staff);
          await sql.execute(`UPDATE enrollments SET staff_id = $2, owner_key = COALESCE($2, '') WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM enrollments o WHERE o.customer_id = enrollments.customer_id AND o.journey_key = enrollments.journey_key AND o.owner_key = COALESCE($2, '') AND o.ended_at IS NULL AND o.id <> enrollments.id)`, [pick(es), to]);
        } else if (op < 0.85) await sql.execute(`UPDATE customers SET staff_id = $2 WHERE id = $1`, [pick(await customerIds()), random() < 0.2 ? null : pick(staff)]);
        else if (op < 0.95) {
          // the scheduler's hot path rewrites the stage with the same value: nothing to count
          await sql.execute(`UPDATE enrollments SET stage = stage, state = '{}'::json WHERE workspace_id = $1`, [ws]);
        } else await sql.execute(`DELETE FROM customers WHERE id = $1`, [pick(await customerIds())]);
      }
      // read (and fold) every other round: counts are right with deltas folded or not
      if (round % 2 === 0) expect(await counts()).toEqual(await groupBy());
    }
    // a staff member deleted: their enrollments and customers fall to nobody (ON DELETE SET NULL)
    await sql.execute(`DELETE FROM staff WHERE id = $1`, [staff[2]]);
    expect(await counts()).toEqual(await groupBy());
    expect((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM stage_count_deltas WHERE workspace_id = $1`, [ws]))[0]!.n).toBe(0);
  });

  it("a transaction that rolls back leaves the counts as they were", async () => {
    const before = await counts();
    await expect(
      t.db.sql.transaction(async (tx) => {
        await tx.execute(`UPDATE enrollments SET stage = 'won' WHERE workspace_id = $1`, [ws]);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await counts()).toEqual(before);
  });

  it("rebuildStageCounts recomputes them from the enrollments (after a bulk load that bypassed the triggers)", async () => {
    await t.db.sql.execute(`DELETE FROM stage_counts WHERE workspace_id = $1`, [ws]);
    expect(await counts()).not.toEqual(await groupBy());
    await rebuildStageCounts(t.db.sql, ws);
    expect(await counts()).toEqual(await groupBy());
  });
});
