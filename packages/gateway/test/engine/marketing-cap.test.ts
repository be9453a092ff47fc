import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JourneyDefinition } from "@sopline/core";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { enrollCustomers } from "../../src/engine/enroll.js";
import { JourneyRegistry } from "../../src/engine/journey-registry.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { createScheduler } from "../../src/engine/scheduler.js";
import { ingestEvents } from "../../src/events/ingest.js";
import { SH, seedCustomers, seedWorkspace } from "./fixtures.js";

/** A journey with one daily marketing step at 10:00, days 1–3, inside 09:00–21:00. */
const daily = (id: string, priority: number): JourneyDefinition => ({
  id, version: 1, timezone: SH, entry: "new", window: { from: "09:00", to: "21:00" },
  stages: [{ id: "new", sop: [{ id: "daily", day: 1, at: "10:00", repeat: { every: "1d", times: 3 }, channel: "official_account", content: `${id}-daily`, priority }] }],
});

/** Five steps due at 23:30 on the entry day, sent 07:30–22:00: the core puts them all at 07:30. */
const late: JourneyDefinition = {
  id: "late", version: 1, timezone: SH, entry: "new", window: { from: "07:30", to: "22:00" },
  stages: [{ id: "new", sop: ["a", "b", "c", "d", "e"].map((id, i) => ({ id, day: 0, at: "23:30", channel: "official_account" as const, content: id, priority: 10 * (i + 1) })) }],
};

const shanghai = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ");

describe.each(["pglite", "postgres"] as const)("one marketing cap across journeys on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  async function deliveries(workspaceId: string) {
    const rows = await t.db.sql.query<{ key: string; journey_key: string; step_id: string; due_at: Date; status: string; reason: string | null }>(
      `SELECT key, journey_key, step_id, due_at, status, reason FROM deliveries WHERE workspace_id = $1 ORDER BY due_at, key`,
      [workspaceId],
    );
    return rows.map((r) => ({ ...r, local: shanghai(new Date(r.due_at)) }));
  }

  it("two journeys with a daily marketing step and a cap of 1 a day: one touch a day, the other deferred to the next day's window, none lost", async () => {
    const { workspaceId, staff } = await seedWorkspace(t.db, [daily("alpha", 80), daily("beta", 20)], { marketingCap: { perDay: 1 } });
    const [customer] = await seedCustomers(t.db.sql, workspaceId, 1, staff[0]!);
    const registry = new JourneyRegistry();
    const start = new Date("2026-12-01T01:00:00Z"); // 09:00 Shanghai
    await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, registry, ["alpha", "beta"].map((journeyKey) => ({ workspaceId, customer: { id: customer! }, journeyKey, staffId: staff[0]! })), start, emptyNotices()),
    );
    const scheduler = createScheduler({ db: t.db, registry, clock: () => start });
    for (let day = 1; day <= 3; day++) await scheduler.runOnce(new Date(start.getTime() + day * 86_400_000 + 3_600_000)); // 10:00
    await scheduler.runOnce(new Date(start.getTime() + 30 * 86_400_000));

    const rows = await deliveries(workspaceId);
    // Alpha goes first (priority 80); beta's day-1 touch waits for day 2, and so on: never two a day.
    expect(rows.map((r) => `${r.journey_key}@${r.local}${r.reason ? ` ${r.reason}` : ""}`)).toEqual([
      "alpha@2026-12-02 10:00",
      "beta@2026-12-03 10:00 capped",
      "alpha@2026-12-04 10:00 capped",
      "beta@2026-12-05 10:00 capped",
      "alpha@2026-12-06 10:00 capped",
      "beta@2026-12-07 10:00 capped",
    ]);
    expect(new Set(rows.map((r) => r.key)).size).toBe(6);
    expect(rows.every((r) => r.status === "due")).toBe(true);
    // A later run records nothing twice.
    await scheduler.runOnce(new Date(start.getTime() + 60 * 86_400_000));
    expect(await deliveries(workspaceId)).toHaveLength(6);
  });

  it("five steps due at 23:30 with windows 07:30–22:00 and a cap of 2 a day are spread over days in priority order, not all at 07:30", async () => {
    const { workspaceId, staff } = await seedWorkspace(t.db, [late], { marketingCap: { perDay: 2 } });
    const [customer] = await seedCustomers(t.db.sql, workspaceId, 1, staff[0]!);
    const registry = new JourneyRegistry();
    const enrolled = new Date("2026-12-01T15:00:00Z"); // 23:00 Shanghai
    await t.db.sql.transaction((tx) => enrollCustomers(tx, registry, [{ workspaceId, customer: { id: customer! }, journeyKey: "late", staffId: null }], enrolled, emptyNotices()));
    const scheduler = createScheduler({ db: t.db, registry, clock: () => enrolled });
    await scheduler.runOnce(new Date("2026-12-01T23:30:00Z")); // 07:30 the next morning
    const rows = await deliveries(workspaceId);
    expect(rows.map((r) => `${r.step_id}@${r.local}`)).toEqual([
      "e@2026-12-02 07:30",
      "d@2026-12-02 08:30", // not two at the window's opening
      "c@2026-12-03 07:30",
      "b@2026-12-03 08:30",
      "a@2026-12-04 07:30",
    ]);
    // The cap's own record agrees, so another journey of this customer sees these days as taken.
    const [touches] = await t.db.sql.query<{ n: number }>(`SELECT cardinality(times) AS n FROM marketing_touches WHERE customer_id = $1`, [customer]);
    expect(Number(touches!.n)).toBe(5);
  });

  it("two workers advancing two journeys of the same customers at once never put two touches on one day", async () => {
    const { workspaceId, staff } = await seedWorkspace(t.db, [daily("alpha", 80), daily("beta", 20)], { marketingCap: { perDay: 1 } });
    const customers = await seedCustomers(t.db.sql, workspaceId, 10, staff[0]!);
    const start = new Date("2026-12-01T01:00:00Z");
    await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, new JourneyRegistry(), customers.flatMap((id) => ["alpha", "beta"].map((journeyKey) => ({ workspaceId, customer: { id }, journeyKey, staffId: staff[0]! }))), start, emptyNotices()),
    );
    // Batches of one enrollment: each worker holds one journey of a customer while the other may hold the other.
    const workers = [0, 1].map(() => createScheduler({ db: t.db, registry: new JourneyRegistry(), clock: () => start, batchSize: 1 }));
    for (let day = 1; day <= 3; day++) {
      const at = new Date(start.getTime() + day * 86_400_000 + 3_600_000);
      await Promise.all(workers.map((w) => w.runOnce(at)));
    }
    const perDay = await t.db.sql.query<{ customer_id: string; day: string; n: string }>(
      `SELECT customer_id, (due_at AT TIME ZONE 'Asia/Shanghai')::date::text AS day, count(*)::text AS n FROM deliveries WHERE workspace_id = $1 GROUP BY 1, 2`,
      [workspaceId],
    );
    expect(perDay.filter((r) => r.n !== "1")).toEqual([]);
    expect(perDay).toHaveLength(10 * 6);
  });

  it("a deferred task reaches the staff member at its new time", async () => {
    const call: JourneyDefinition = { ...daily("calls", 10), stages: [{ id: "new", sop: [{ id: "call", day: 1, at: "10:00", channel: "call", content: "call", mode: "task" }] }] };
    const { workspaceId, staff } = await seedWorkspace(t.db, [daily("alpha", 80), call], { marketingCap: { perDay: 1 } });
    const [customer] = await seedCustomers(t.db.sql, workspaceId, 1, staff[0]!);
    const registry = new JourneyRegistry();
    const start = new Date("2026-12-01T01:00:00Z");
    await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, registry, ["alpha", "calls"].map((journeyKey) => ({ workspaceId, customer: { id: customer! }, journeyKey, staffId: staff[0]! })), start, emptyNotices()),
    );
    await createScheduler({ db: t.db, registry, clock: () => start }).runOnce(new Date(start.getTime() + 86_400_000 + 3_600_000));
    const tasks = await t.db.sql.query<{ staff_id: string; due_at: Date }>(`SELECT staff_id, due_at FROM tasks WHERE workspace_id = $1`, [workspaceId]);
    expect(tasks.map((x) => [x.staff_id, shanghai(new Date(x.due_at))])).toEqual([[staff[0], "2026-12-03 10:00"]]);
  });

  it("service steps and workspaces without a cap are left alone (and write nothing to the cap's table)", async () => {
    const service: JourneyDefinition = { ...late, stages: [{ id: "new", sop: late.stages[0]!.sop!.map((s) => ({ ...s, kind: "service" as const })) }] };
    for (const [def, settings] of [[service, { marketingCap: { perDay: 1 } }], [late, {}]] as const) {
      const { workspaceId, staff } = await seedWorkspace(t.db, [def], settings);
      const [customer] = await seedCustomers(t.db.sql, workspaceId, 1, staff[0]!);
      const registry = new JourneyRegistry();
      const enrolled = new Date("2026-12-01T15:00:00Z");
      await t.db.sql.transaction((tx) => enrollCustomers(tx, registry, [{ workspaceId, customer: { id: customer! }, journeyKey: "late", staffId: null }], enrolled, emptyNotices()));
      await createScheduler({ db: t.db, registry, clock: () => enrolled }).runOnce(new Date("2026-12-01T23:30:00Z"));
      expect((await deliveries(workspaceId)).map((r) => r.local)).toEqual(Array(5).fill("2026-12-02 07:30"));
      expect(await t.db.sql.query(`SELECT 1 FROM marketing_touches WHERE customer_id = $1`, [customer])).toHaveLength(0);
    }
  });
  it("a deferred touch is skipped `left-stage` once the customer leaves its stage (its task too); for the others it still goes", async () => {
    const offers: JourneyDefinition = {
      id: "offers", version: 1, timezone: SH, entry: "new", window: { from: "09:00", to: "21:00" },
      stages: [
        { id: "new", sop: [
          { id: "offer", day: 1, at: "10:00", channel: "official_account", content: "offer", priority: 80 },
          { id: "reminder", day: 1, at: "10:00", channel: "official_account", content: "reminder", priority: 20 },
          { id: "call", day: 1, at: "10:00", channel: "call", content: "script", mode: "task", priority: 10 },
        ] },
        { id: "bought", sop: [] },
      ],
      transitions: [{ from: "new", to: "bought", on: "order.paid" }],
    };
    const { workspaceId, staff } = await seedWorkspace(t.db, [offers], { marketingCap: { perDay: 1 } });
    const customers = await seedCustomers(t.db.sql, workspaceId, 2, staff[0]!);
    const registry = new JourneyRegistry();
    const start = new Date("2026-12-01T01:00:00Z"); // 09:00 Shanghai
    await t.db.sql.transaction((tx) => enrollCustomers(tx, registry, customers.map((id) => ({ workspaceId, customer: { id }, journeyKey: "offers", staffId: staff[0]! })), start, emptyNotices()));
    const scheduler = createScheduler({ db: t.db, registry, clock: () => start });
    const day1 = new Date("2026-12-02T02:00:00Z"); // 10:00 on day 1
    await scheduler.runOnce(day1);
    const byCustomer = async (id: string) =>
      (await t.db.sql.query<{ step_id: string; due_at: Date; status: string; reason: string | null }>(`SELECT step_id, due_at, status, reason FROM deliveries WHERE customer_id = $1 ORDER BY due_at, step_id`, [id])).map(
        (r) => `${r.step_id}@${shanghai(new Date(r.due_at))} ${r.status}${r.reason ? ` ${r.reason}` : ""}`,
      );
    expect(await byCustomer(customers[0]!)).toEqual(["offer@2026-12-02 10:00 due", "reminder@2026-12-03 10:00 due capped", "call@2026-12-04 10:00 task capped"]);
    // c0 buys at 15:00 on day 1: the deferred reminder and call no longer belong to where they are.
    const notices = emptyNotices();
    await ingestEvents(t.db, registry, workspaceId, [{ id: "paid-c0", customer: "c0", name: "order.paid", at: new Date("2026-12-02T07:00:00Z") }], new Date("2026-12-02T07:00:00Z"), notices);
    expect(await byCustomer(customers[0]!)).toEqual(["offer@2026-12-02 10:00 due", "reminder@2026-12-03 10:00 skipped left-stage", "call@2026-12-04 10:00 skipped left-stage"]);
    expect(notices.removedTasks!.map((x) => x.deliveryKey)).toEqual([expect.stringMatching(/:call$/)]);
    expect(await t.db.sql.query(`SELECT status FROM tasks WHERE customer_id = $1`, [customers[0]])).toEqual([{ status: "skipped" }]);
    // their planned times leave the cap's record: only the offer still takes room
    const [touches] = await t.db.sql.query<{ times: string }>(`SELECT to_json(times)::text AS times FROM marketing_touches WHERE customer_id = $1`, [customers[0]]);
    expect((JSON.parse(touches!.times) as string[]).map((x) => shanghai(new Date(x)))).toEqual(["2026-12-02 10:00"]);
    // c1 stays: nothing of theirs is dropped.
    await scheduler.runOnce(new Date("2026-12-05T02:00:00Z"));
    expect(await byCustomer(customers[1]!)).toEqual(["offer@2026-12-02 10:00 due", "reminder@2026-12-03 10:00 due capped", "call@2026-12-04 10:00 task capped"]);
  });
});
