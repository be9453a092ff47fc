import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { customerKeyRanges, deliveriesPerEnrollment, dueDeliveries, enrollmentKeyRanges } from "../../src/delivery/read-by-range.js";
import { deliveryKeyRange } from "../../src/engine/delivery-key-range.js";
import type { EnrollmentRow } from "../../src/engine/enrollment-row.js";
import { insertDeliveries } from "../../src/engine/insert-deliveries.js";
import { seedCustomers, seedWorkspace } from "../engine/fixtures.js";

describe("deliveryKeyRange", () => {
  it("holds exactly the keys with the enrollment's journey:customer: prefix", () => {
    const r = deliveryKeyRange("e1", { journey: "sales", customer: "c1" });
    const inside = (k: string) => k >= r.from && k < r.to; // byte order, like COLLATE "C"
    expect(["sales:c1:new:1:s1", "sales:c1:", "sales:c1:~"].every(inside)).toBe(true);
    // the same customer followed by a staff member, a longer id, another journey
    expect(["sales:c1/staff:new:1:s1", "sales:c10:new:1:s1", "sales:c1", "salesx:c1:new:1:s1"].some(inside)).toBe(false);
  });
});

describe.each(["pglite", "postgres"] as const)("deliveries read by key range on %s", (kind) => {
  let t: TestDatabase;
  let ws: string;
  let customer: string;
  let other: string;
  const rows: Record<string, EnrollmentRow> = {};

  // Two enrollments of one customer (alone, and followed by a staff member: its customer id extends
  // the first's), one of them ended, and one of another customer.
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    ws = (await seedWorkspace(t.db)).workspaceId;
    const ids = await seedCustomers(t.db.sql, ws, 2);
    customer = ids[0]!;
    other = ids[1]!;
    const enrollments: Array<[string, string, string, string, boolean]> = [
      ["alone", customer, customer, "", false],
      ["staffed", customer, `${customer}/s1`, "s1", true],
      ["other", other, other, "", false],
    ];
    for (const [name, c, core, owner, ended] of enrollments) {
      const state = { journey: "eight", version: 1, customer: core };
      const [row] = await t.db.sql.query<{ id: string }>(
        `INSERT INTO enrollments (workspace_id, customer_id, journey_key, journey_version, owner_key, stage, state, ended_at) VALUES ($1, $2, 'eight', 1, $3, 'new', $4::json, $5) RETURNING id`,
        [ws, c, owner, JSON.stringify(state), ended ? new Date() : null],
      );
      rows[name] = { id: row!.id, workspace_id: ws, customer_id: c, journey_key: "eight", journey_version: 1, staff_id: null, state: state as EnrollmentRow["state"] };
    }
    const step = (name: string, id: string, day: number, status: "due" | "skipped" = "due") => ({
      row: rows[name]!, key: `eight:${rows[name]!.state.customer}:new:1:${id}`, stage: "new", stepId: id,
      dueAt: new Date(Date.UTC(2026, 10, 23 + day)).toISOString(), channel: "private_chat", content: id, status, reason: null,
    });
    await t.db.sql.transaction((tx) =>
      insertDeliveries(tx, [step("alone", "s0", 0), step("alone", "s1", 1), step("alone", "s2", 2, "skipped"), step("staffed", "s0", 0), step("other", "s0", 0)]),
    );
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("gives each enrollment its own deliveries, newest due first, cut at the limit per enrollment", async () => {
    const ranges = [rows.alone!, rows.staffed!].map((r) => deliveryKeyRange(r.id, r.state));
    const all = await deliveriesPerEnrollment(t.db.sql, ws, ranges, 10);
    expect(all.get(rows.alone!.id)!.map((d) => d.stepId)).toEqual(["s2", "s1", "s0"]);
    expect(all.get(rows.staffed!.id)!.map((d) => [d.stepId, d.customerId])).toEqual([["s0", customer]]);
    const cut = await deliveriesPerEnrollment(t.db.sql, ws, ranges, 2);
    expect(cut.get(rows.alone!.id)!.map((d) => d.stepId)).toEqual(["s2", "s1"]);
    expect(cut.get(rows.staffed!.id)).toHaveLength(1);
    expect(all.get(rows.alone!.id)![0]).toMatchObject({ key: `eight:${customer}:new:1:s2`, workspaceId: ws, enrollmentId: rows.alone!.id, status: "skipped", dueAt: new Date("2026-11-25T00:00:00Z"), attempts: 0 });
  });

  it("finds a customer's enrollments, ended ones included, and not another workspace's", async () => {
    expect((await customerKeyRanges(t.db.sql, ws, [customer])).map((r) => r.enrollmentId).sort()).toEqual([rows.alone!.id, rows.staffed!.id].sort());
    expect(await customerKeyRanges(t.db.sql, "another-workspace", [customer])).toEqual([]);
    expect((await enrollmentKeyRanges(t.db.sql, [rows.other!.id]))[0]).toEqual(deliveryKeyRange(rows.other!.id, rows.other!.state));
  });

  it("lists what is still due on a channel at a time, newest first", async () => {
    const ranges = await customerKeyRanges(t.db.sql, ws, [customer]);
    const due = (now: string, channel = "private_chat") => dueDeliveries(t.db.sql, ws, ranges, { channel, now: new Date(now), limit: 10 });
    expect((await due("2026-11-30T00:00:00Z")).map((d) => `${d.enrollmentId === rows.alone!.id ? "alone" : "staffed"} ${d.stepId}`)).toEqual(["alone s1", "staffed s0", "alone s0"]); // same time: by key
    expect((await due("2026-11-23T12:00:00Z")).map((d) => d.stepId)).toEqual(["s0", "s0"]);
    expect(await due("2026-11-30T00:00:00Z", "sms")).toEqual([]);
  });
});
