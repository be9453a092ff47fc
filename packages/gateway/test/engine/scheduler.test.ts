import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JourneyDefinition, TICK_BUDGET } from "@sopline/core";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { enrollCustomers } from "../../src/engine/enroll.js";
import { JourneyRegistry } from "../../src/engine/journey-registry.js";
import { type CrashPoint, createScheduler } from "../../src/engine/scheduler.js";
import { count, eightSteps, seedCustomers, seedWorkspace } from "./fixtures.js";

const T0 = new Date("2026-11-23T02:00:00Z"); // 10:00 in Shanghai
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);

describe.each(["pglite", "postgres"] as const)("scheduler on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  async function setup(n: number) {
    const seeded = await seedWorkspace(t.db);
    const registry = new JourneyRegistry();
    const ids = await seedCustomers(t.db.sql, seeded.workspaceId, n, seeded.staff[0]!);
    await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, registry, ids.map((id) => ({ workspaceId: seeded.workspaceId, customer: { id }, journeyKey: "eight", staffId: seeded.staff[0]! })), T0, emptyNotices()),
    );
    return { ...seeded, registry, ids };
  }

  const deliveries = (ws: string) => count(t.db.sql, `SELECT count(*) AS n FROM deliveries WHERE workspace_id = $1`, [ws]);

  it("enrolling fires the +0h step at once; each later step fires once, when due, tasks going to the staff member", async () => {
    const { workspaceId, registry, ids, staff } = await setup(5);
    expect(await deliveries(workspaceId)).toBe(5);
    const scheduler = createScheduler({ db: t.db, registry, clock: () => T0, batchSize: 2 });
    expect((await scheduler.runOnce(days(0.5))).fired).toBe(0);
    const day1 = await scheduler.runOnce(new Date("2026-11-24T01:00:00Z")); // day 1 09:00 Shanghai
    expect(day1).toMatchObject({ fired: 5, tasks: 5, batches: 3 });
    expect(await scheduler.runOnce(new Date("2026-11-24T01:00:00Z"))).toMatchObject({ fired: 0 });
    const tasks = await t.db.sql.query<{ staff_id: string; kind: string; due_at: Date }>(`SELECT staff_id, kind, due_at FROM tasks WHERE workspace_id = $1`, [workspaceId]);
    expect(tasks).toHaveLength(5);
    expect(new Set(tasks.map((x) => x.staff_id))).toEqual(new Set([staff[0]]));
    expect(tasks[0]!.kind).toBe("chat");
    await scheduler.runOnce(days(100));
    expect(await deliveries(workspaceId)).toBe(5 * 8);
    const dupes = await count(t.db.sql, `SELECT count(*) AS n FROM (SELECT key FROM deliveries WHERE workspace_id = $1 GROUP BY key HAVING count(*) > 1) d`, [workspaceId]);
    expect(dupes).toBe(0);
    const woken = await count(t.db.sql, `SELECT count(*) AS n FROM enrollments WHERE workspace_id = $1 AND next_wake_at IS NOT NULL`, [workspaceId]);
    expect(woken).toBe(0);
    expect(ids).toHaveLength(5);
  });

  it.each(["after-claim", "after-advance", "after-persist", "before-commit"] as CrashPoint[])(
    "a worker dying %s loses and repeats nothing",
    async (point) => {
      const { workspaceId, registry } = await setup(7);
      const at = days(3); // day 1, 2 and 3 are due: 3 steps each
      let armed = true;
      const dying = createScheduler({
        db: t.db, registry, clock: () => at, batchSize: 3,
        onPoint: (p, batch) => {
          if (armed && p === point && batch === 1) throw new Error(`worker killed ${p}`);
        },
      });
      await expect(dying.runOnce(at)).rejects.toThrow(/worker killed/);
      armed = false;
      // The first batch committed before the crash; the second rolled back whole.
      const afterCrash = await deliveries(workspaceId);
      expect(afterCrash).toBe(7 + 3 * 3);
      const healthy = createScheduler({ db: t.db, registry: new JourneyRegistry(), clock: () => at, batchSize: 3 });
      await healthy.runOnce(at);
      expect(await deliveries(workspaceId)).toBe(7 * 4);
      await healthy.runOnce(days(100));
      expect(await deliveries(workspaceId)).toBe(7 * 8);
      const keys = await t.db.sql.query<{ key: string }>(`SELECT key FROM deliveries WHERE workspace_id = $1`, [workspaceId]);
      expect(new Set(keys.map((k) => k.key)).size).toBe(7 * 8);
    },
  );

  it("after downtime, overdue steps keep their due time and stale greetings are skipped, not sent", async () => {
    const seeded = await seedWorkspace(t.db);
    const registry = new JourneyRegistry();
    const [id] = await seedCustomers(t.db.sql, seeded.workspaceId, 1, null, "late");
    // Enrolled while the scheduler was down: the enrollment is stored but not advanced.
    const journey = (await registry.latest(t.db.sql, seeded.workspaceId, "eight"))!;
    const state = journey.enroll({ id: id! }, T0);
    await t.db.sql.execute(
      `INSERT INTO enrollments (workspace_id, customer_id, journey_key, journey_version, stage, state, next_wake_at) VALUES ($1, $2, 'eight', 1, 'new', $3::json, $4)`,
      [seeded.workspaceId, id, JSON.stringify(state), T0],
    );
    const scheduler = createScheduler({ db: t.db, registry, clock: () => days(2.5) });
    const stats = await scheduler.runOnce(days(2.5));
    expect(stats).toMatchObject({ fired: 2, skipped: 1 });
    const rows = await t.db.sql.query<{ step_id: string; status: string; reason: string | null; due_at: Date }>(
      `SELECT step_id, status, reason, due_at FROM deliveries WHERE customer_id = $1 ORDER BY due_at`,
      [id],
    );
    expect(rows.map((r) => [r.step_id, r.status, r.reason, r.due_at.toISOString()])).toEqual([
      ["s0", "skipped", "expired", T0.toISOString()],
      ["s1", "task", null, "2026-11-24T01:00:00.000Z"],
      ["s2", "due", null, "2026-11-25T01:00:00.000Z"],
    ]);
  });

  it("one enrollment with a year of 1-minute occurrences does not hold its batch: the 200 others commit their steps in that run", async () => {
    // Stored before the definition limits (a 1-minute repeat for a year is now rejected when saved): it still loads and runs.
    const legacy: JourneyDefinition = {
      id: "legacy", version: 1, timezone: "Asia/Shanghai", entry: "s",
      stages: [{ id: "s", sop: [{ id: "ping", after: "0m", repeat: { every: "1m", for: "1y" }, channel: "sms", content: "ping" }] }],
    };
    const seeded = await seedWorkspace(t.db, [eightSteps, legacy]);
    const registry = new JourneyRegistry();
    const ordinary = await seedCustomers(t.db.sql, seeded.workspaceId, 200, seeded.staff[0]!);
    const [slow] = await seedCustomers(t.db.sql, seeded.workspaceId, 1, null, "slow");
    await t.db.sql.transaction(async (tx) => {
      await enrollCustomers(tx, registry, [{ workspaceId: seeded.workspaceId, customer: { id: slow! }, journeyKey: "legacy" }], days(-365), emptyNotices());
      await enrollCustomers(tx, registry, ordinary.map((id) => ({ workspaceId: seeded.workspaceId, customer: { id }, journeyKey: "eight", staffId: seeded.staff[0]! })), T0, emptyNotices());
    });
    const of = (journey: string) => count(t.db.sql, `SELECT count(*) AS n FROM deliveries WHERE workspace_id = $1 AND journey_key = $2`, [seeded.workspaceId, journey]);
    const slowBefore = await of("legacy");
    // Day 1 09:00: every ordinary enrollment's s1 is due; the slow one is first in line (its wake-up is a year old).
    const now = new Date("2026-11-24T01:00:00Z");
    const scheduler = createScheduler({ db: t.db, registry: new JourneyRegistry(), clock: () => now, batchSize: 500 });
    const stats = await scheduler.runOnce(now);
    expect(stats.batches).toBe(1);
    expect(stats.enrollments).toBe(201);
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM deliveries WHERE workspace_id = $1 AND step_id = 's1'`, [seeded.workspaceId])).toBe(200);
    // The slow one did a tick's budget and stays due, to continue in the next run from where it stopped.
    expect((await of("legacy")) - slowBefore).toBe(TICK_BUDGET);
    const [wake] = await t.db.sql.query<{ next_wake_at: Date }>(`SELECT next_wake_at FROM enrollments WHERE workspace_id = $1 AND journey_key = 'legacy'`, [seeded.workspaceId]);
    expect(wake!.next_wake_at.getTime()).toBeLessThanOrEqual(now.getTime());
    await scheduler.runOnce(now);
    expect((await of("legacy")) - slowBefore).toBe(2 * TICK_BUDGET);
    const keys = await t.db.sql.query<{ key: string }>(`SELECT key FROM deliveries WHERE workspace_id = $1 AND journey_key = 'legacy' ORDER BY due_at`, [seeded.workspaceId]);
    expect(keys.map((k) => k.key.split("#")[1])).toEqual(Array.from({ length: slowBefore + 2 * TICK_BUDGET }, (_, i) => String(i + 1)));
  });
});
