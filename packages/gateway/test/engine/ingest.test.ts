import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { enrollCustomers } from "../../src/engine/enroll.js";
import { handoverCustomer } from "../../src/engine/handover.js";
import { JourneyRegistry } from "../../src/engine/journey-registry.js";
import { moveCustomer } from "../../src/engine/move.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { createScheduler } from "../../src/engine/scheduler.js";
import { ingestEvents } from "../../src/events/ingest.js";
import { count, seedCustomers, seedWorkspace } from "./fixtures.js";

const T0 = new Date("2026-11-23T02:00:00Z");
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);

describe.each(["pglite", "postgres"] as const)("events, moves and handovers on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  async function setup(settings: Record<string, unknown> = {}) {
    const seeded = await seedWorkspace(t.db, undefined, settings);
    const registry = new JourneyRegistry();
    const ids = await seedCustomers(t.db.sql, seeded.workspaceId, 3, seeded.staff[0]!, `x${Math.random().toString(36).slice(2, 7)}-`);
    await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, registry, ids.map((id) => ({ workspaceId: seeded.workspaceId, customer: { id }, journeyKey: "eight", staffId: seeded.staff[0]! })), T0, emptyNotices()),
    );
    const externals = await t.db.sql.query<{ id: string; external_id: string }>(`SELECT id, external_id FROM customers WHERE id = ANY($1::text[]) ORDER BY external_id`, [ids]);
    return { ...seeded, registry, customers: externals };
  }

  it("records each event once by id, moves the customer, and keeps the rest of a batch when some events are bad", async () => {
    const { workspaceId, registry, customers } = await setup();
    const [a, b] = customers;
    const notices = emptyNotices();
    const result = await ingestEvents(t.db, registry, workspaceId, [
      { id: "e1", customer: a!.external_id, name: "demo.attended", at: hours(1) },
      { id: "e1", customer: a!.external_id, name: "demo.attended", at: hours(1) },
      { id: "", customer: a!.external_id, name: "x", at: hours(1) },
      { id: "e3", customer: "nobody", name: "link.clicked", at: hours(1) },
      { id: "e4", customer: b!.external_id, name: "link.clicked", at: "not a time" },
      { id: "e5", customer: b!.external_id, name: "link.clicked", at: hours(50) },
      { id: "e6", customer: b!.external_id, name: "message.read", at: hours(1) },
    ], hours(2), notices);
    expect(result.accepted).toBe(2);
    expect(result.duplicates).toBe(1);
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([[2, "BAD_EVENT"], [3, "UNKNOWN_CUSTOMER"], [4, "BAD_EVENT"], [5, "FUTURE_EVENT"]]);
    expect(result.rejected[0]!.message).toMatch(/^events\[2\]\.id:/);
    expect(result.rejected[1]!.message).toMatch(/no customer "nobody"/);
    const [enrollment] = await t.db.sql.query<{ stage: string }>(`SELECT stage FROM enrollments WHERE customer_id = $1`, [a!.id]);
    expect(enrollment!.stage).toBe("interested");
    expect(notices.boards.has(workspaceId)).toBe(true);
    // A retry of the whole batch is all duplicates.
    const again = await ingestEvents(t.db, registry, workspaceId, [{ id: "e1", customer: a!.external_id, name: "demo.attended", at: hours(1) }], hours(3), emptyNotices());
    expect(again).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM events WHERE workspace_id = $1`, [workspaceId])).toBe(2);
    // A batch mixing a retried id with a new one stores and applies the new one.
    const mixed = await ingestEvents(t.db, registry, workspaceId, [
      { id: "e6", customer: b!.external_id, name: "message.read", at: hours(1) },
      { id: "e7", customer: b!.external_id, name: "demo.attended", at: hours(2) },
    ], hours(2), emptyNotices());
    expect(mixed).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM events WHERE workspace_id = $1`, [workspaceId])).toBe(3);
    const [moved] = await t.db.sql.query<{ stage: string }>(`SELECT stage FROM enrollments WHERE customer_id = $1`, [b!.id]);
    expect(moved!.stage).toBe("interested");
    // The interested stage's +1h trial fires at its time.
    const scheduler = createScheduler({ db: t.db, registry, clock: () => hours(3) });
    await scheduler.runOnce(hours(3));
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM deliveries WHERE customer_id = $1 AND step_id = 'trial'`, [a!.id])).toBe(1);
  });

  it("two batches in flight at once with the same ids (opposite orders) both complete and store each event once", async () => {
    const { workspaceId, registry, customers } = await setup();
    const events = customers.flatMap((c, i) => Array.from({ length: 100 }, (_, j) => ({ id: `race-${i}-${String(j).padStart(3, "0")}`, customer: c.external_id, name: "message.read", at: hours(1) })));
    const results = await Promise.all([
      ingestEvents(t.db, registry, workspaceId, events, hours(2), emptyNotices()),
      ingestEvents(t.db, registry, workspaceId, [...events].reverse(), hours(2), emptyNotices()),
    ]);
    expect(results.map((r) => r.accepted + r.duplicates)).toEqual([events.length, events.length]);
    expect(results[0]!.accepted + results[1]!.accepted).toBe(events.length);
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM events WHERE workspace_id = $1 AND event_id LIKE 'race-%'`, [workspaceId])).toBe(events.length);
  });

  it("handles out-of-order arrival: a late event counts for silence without rewriting what was sent", async () => {
    const { workspaceId, registry, customers } = await setup();
    const c = customers[0]!;
    await ingestEvents(t.db, registry, workspaceId, [{ id: "late-2", customer: c.external_id, name: "message.read", at: hours(5) }], hours(6), emptyNotices());
    await ingestEvents(t.db, registry, workspaceId, [{ id: "late-1", customer: c.external_id, name: "message.read", at: hours(4) }], hours(6), emptyNotices());
    const [row] = await t.db.sql.query<{ state: { active: number }; last_event_at: Date }>(
      `SELECT e.state, (SELECT max(at) FROM events WHERE customer_id = e.customer_id) AS last_event_at FROM enrollments e WHERE e.customer_id = $1`,
      [c.id],
    );
    expect(row!.state.active).toBe(hours(5).getTime());
    expect(row!.last_event_at.toISOString()).toBe(hours(5).toISOString());
  });

  it("unknown customers are created and routed by segment rules when the workspace allows it", async () => {
    const { workspaceId, registry, staff } = await setup({ unknownCustomers: "create" });
    await t.db.sql.execute(`INSERT INTO segment_rules (workspace_id, name, priority, match, journey_key, team) VALUES ($1, 'vip', 0, '{"tier":"vip"}', 'eight', 'sales')`, [workspaceId]);
    const notices = emptyNotices();
    const result = await ingestEvents(t.db, registry, workspaceId, [
      { id: "n1", customer: "new-1", name: "friend.added", at: hours(1), profile: { attributes: { tier: "vip" } } },
      { id: "n2", customer: "new-2", name: "friend.added", at: hours(1), profile: { attributes: { tier: "vip" } } },
      { id: "n3", customer: "new-3", name: "friend.added", at: hours(1), profile: { attributes: { tier: "basic" } } },
    ], hours(1), notices);
    expect(result).toMatchObject({ accepted: 3, rejected: [] });
    const rows = await t.db.sql.query<{ external_id: string; staff_id: string | null; enrolled: string }>(
      `SELECT c.external_id, c.staff_id, (SELECT count(*) FROM enrollments e WHERE e.customer_id = c.id)::text AS enrolled FROM customers c WHERE workspace_id = $1 AND external_id LIKE 'new-%' ORDER BY external_id`,
      [workspaceId],
    );
    // Round-robin within the team: amy, then bob; no rule matches the basic customer.
    expect(rows.map((r) => [r.external_id, r.staff_id, r.enrolled])).toEqual([["new-1", staff[0], "1"], ["new-2", staff[1], "1"], ["new-3", null, "0"]]);
    expect(notices.fired).toBe(2); // both greetings went out on enrollment
  });

  it("a manual move restarts the SOP in the target stage; an unknown stage is refused", async () => {
    const { workspaceId, registry, customers } = await setup();
    const notices = emptyNotices();
    const moved = await moveCustomer(t.db, registry, { workspaceId, customerId: customers[1]!.id, journeyKey: "eight", to: "interested", by: "amy", at: hours(2) }, notices);
    expect(moved.state.stage).toBe("interested");
    expect(moved.effects.find((e) => e.type === "stage.exited")).toMatchObject({ cancelled: ["s1", "s2", "s3", "s7", "s14", "s30", "s60"] });
    await expect(moveCustomer(t.db, registry, { workspaceId, customerId: customers[1]!.id, journeyKey: "eight", to: "mars", at: hours(2) }, emptyNotices())).rejects.toThrow(/unknown stage "mars"/);
  });

  it("a handover keeps the journey and moves open tasks to the new staff member", async () => {
    const { workspaceId, registry, customers, staff } = await setup();
    const c = customers[2]!;
    const scheduler = createScheduler({ db: t.db, registry, clock: () => hours(24) });
    await scheduler.runOnce(hours(24)); // day 1 09:00 task for amy
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM tasks WHERE customer_id = $1 AND staff_id = $2 AND status = 'open'`, [c.id, staff[0]])).toBe(1);
    const result = await handoverCustomer(t.db, registry, { workspaceId, customerId: c.id, toStaffId: staff[1]!, by: "admin", at: hours(25) }, emptyNotices());
    expect(result.enrollments).toBe(1);
    expect(result.movedTasks.map((m) => [m.staffId, m.change])).toEqual([[staff[0], "removed"], [staff[1], "created"]]);
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM tasks WHERE customer_id = $1 AND staff_id = $2 AND status = 'open'`, [c.id, staff[1]])).toBe(1);
    const [e] = await t.db.sql.query<{ staff_id: string; state: { visit: number; stage: string; assignee: string } }>(`SELECT staff_id, state FROM enrollments WHERE customer_id = $1`, [c.id]);
    expect(e).toMatchObject({ staff_id: staff[1], state: { visit: 1, stage: "new", assignee: staff[1] } });
    await scheduler.runOnce(hours(24 * 7)); // the day-7 call task goes to bob
    const call = await t.db.sql.query<{ staff_id: string }>(`SELECT staff_id FROM tasks WHERE customer_id = $1 AND kind = 'call'`, [c.id]);
    expect(call.map((x) => x.staff_id)).toEqual([staff[1]]);
  });

  it("a customer whose enrollment ended (deleted as a friend) is enrolled anew when added again, with fresh keys", async () => {
    const { workspaceId, registry, customers, staff } = await setup();
    const c = customers[0]!;
    await t.db.sql.execute(`UPDATE enrollments SET ended_at = $2 WHERE customer_id = $1`, [c.id, hours(3)]);
    const again = await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, registry, [{ workspaceId, customer: { id: c.id }, journeyKey: "eight", staffId: staff[0]! }], hours(4), emptyNotices()),
    );
    expect(again[0]!.created).toBe(true);
    const greetings = await t.db.sql.query<{ key: string }>(`SELECT key FROM deliveries WHERE customer_id = $1 AND step_id = 's0' ORDER BY due_at`, [c.id]);
    expect(greetings.map((g) => g.key)).toEqual([`eight:${c.id}/${staff[0]}:new:1:s0`, `eight:${c.id}/${staff[0]}~1:new:1:s0`]);
    // Enrolling while active is still a no-op.
    const twice = await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, registry, [{ workspaceId, customer: { id: c.id }, journeyKey: "eight", staffId: staff[0]! }], hours(5), emptyNotices()),
    );
    expect(twice[0]).toMatchObject({ enrollmentId: again[0]!.enrollmentId, created: false });
  });
});
