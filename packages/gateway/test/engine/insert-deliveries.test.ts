import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import type { EnrollmentRow } from "../../src/engine/enrollment-row.js";
import { type DeliveryInsert, insertDeliveries } from "../../src/engine/insert-deliveries.js";

const enrollment = (id: string, workspace: string, journey: string): EnrollmentRow => ({
  id,
  workspace_id: workspace,
  customer_id: `cust-${id}`,
  journey_key: journey,
  journey_version: 1,
  staff_id: null,
  state: {} as EnrollmentRow["state"],
});

const step = (row: EnrollmentRow, stepId: string, status: DeliveryInsert["status"] = "due", reason: string | null = null): DeliveryInsert => ({
  row,
  key: `${row.journey_key}/${row.customer_id}/new/1/${stepId}`,
  stage: "new",
  stepId,
  dueAt: "2026-11-23T01:00:00.000Z",
  channel: "private_chat",
  content: `content-${stepId}`,
  status,
  reason,
});

describe.each(["pglite", "postgres"] as const)("insertDeliveries on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("writes each step with its own enrollment, customer, workspace and journey when a batch mixes them", async () => {
    const a = enrollment("e1", "ws-a", "sales");
    const b = enrollment("e2", "ws-a", "onboarding");
    const c = enrollment("e3", "ws-b", "sales");
    await t.db.sql.transaction((tx) => insertDeliveries(tx, [step(a, "s1"), step(b, "s1"), step(a, "s2", "task"), step(c, "s1", "skipped", "expired"), step(b, "s2")]));
    const rows = await t.db.sql.query(
      `SELECT workspace_id, journey_key, enrollment_id, customer_id, step_id, content, mode, status, reason, due_at FROM deliveries WHERE enrollment_id IN ('e1', 'e2', 'e3') ORDER BY enrollment_id, step_id`,
    );
    const due = new Date("2026-11-23T01:00:00.000Z");
    expect(rows).toEqual([
      { workspace_id: "ws-a", journey_key: "sales", enrollment_id: "e1", customer_id: "cust-e1", step_id: "s1", content: "content-s1", mode: "auto", status: "due", reason: null, due_at: due },
      { workspace_id: "ws-a", journey_key: "sales", enrollment_id: "e1", customer_id: "cust-e1", step_id: "s2", content: "content-s2", mode: "task", status: "task", reason: null, due_at: due },
      { workspace_id: "ws-a", journey_key: "onboarding", enrollment_id: "e2", customer_id: "cust-e2", step_id: "s1", content: "content-s1", mode: "auto", status: "due", reason: null, due_at: due },
      { workspace_id: "ws-a", journey_key: "onboarding", enrollment_id: "e2", customer_id: "cust-e2", step_id: "s2", content: "content-s2", mode: "auto", status: "due", reason: null, due_at: due },
      { workspace_id: "ws-b", journey_key: "sales", enrollment_id: "e3", customer_id: "cust-e3", step_id: "s1", content: "content-s1", mode: "auto", status: "skipped", reason: "expired", due_at: due },
    ]);
  });

  it("leaves a key already recorded as it is", async () => {
    const a = enrollment("e4", "ws-a", "sales");
    await t.db.sql.transaction((tx) => insertDeliveries(tx, [step(a, "s1")]));
    await t.db.sql.execute(`UPDATE deliveries SET status = 'sent' WHERE enrollment_id = 'e4'`);
    await t.db.sql.transaction((tx) => insertDeliveries(tx, [step(a, "s1", "skipped", "expired"), step(a, "s2")]));
    expect(await t.db.sql.query(`SELECT step_id, status FROM deliveries WHERE enrollment_id = 'e4' ORDER BY step_id`)).toEqual([
      { step_id: "s1", status: "sent" },
      { step_id: "s2", status: "due" },
    ]);
  });

  it("keeps the transaction usable when a batch meets a stored key: the rest of the batch and later statements commit", async () => {
    const a = enrollment("e5", "ws-a", "sales");
    const b = enrollment("e6", "ws-a", "sales");
    await t.db.sql.transaction((tx) => insertDeliveries(tx, [step(a, "s1")]));
    await t.db.sql.transaction(async (tx) => {
      await insertDeliveries(tx, [step(b, "s1"), step(a, "s1", "skipped", "expired"), step(a, "s2")]);
      await tx.execute(`UPDATE deliveries SET reason = 'checked' WHERE enrollment_id = 'e6'`);
    });
    expect(await t.db.sql.query(`SELECT enrollment_id, step_id, status, reason FROM deliveries WHERE enrollment_id IN ('e5', 'e6') ORDER BY enrollment_id, step_id`)).toEqual([
      { enrollment_id: "e5", step_id: "s1", status: "due", reason: null },
      { enrollment_id: "e5", step_id: "s2", status: "due", reason: null },
      { enrollment_id: "e6", step_id: "s1", status: "due", reason: "checked" },
    ]);
  });

  it("gives every row its own key, due time and columns in a large mixed batch (shared and distinct due times, visits, statuses, interleaved enrollments)", async () => {
    // 60 enrollments × 7 steps, passed interleaved; due times repeat across enrollments (day-N 09:00
    // steps) or are their own (+0h); every fifth enrollment has keys outside its state's prefix.
    const rows = Array.from({ length: 60 }, (_, i) => ({
      ...enrollment(`m${i}`, "ws-m", "sales"),
      state: { journey: "sales", customer: `cust-m${i}` } as EnrollmentRow["state"],
    }));
    const statuses: DeliveryInsert["status"][] = ["due", "task", "skipped"];
    const batch: DeliveryInsert[] = [];
    for (let s = 0; s < 7; s++) {
      rows.forEach((row, i) => {
        const status = statuses[(i + s) % 3]!;
        const visit = 1 + (i % 4);
        batch.push({
          row,
          key: i % 5 === 0 ? `other:${i}:${s}` : `sales:cust-m${i}:stage${s % 2}:${visit}:s${s}`,
          stage: `stage${s % 2}`,
          stepId: `s${s}`,
          dueAt: s === 0 ? new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString() : new Date(Date.UTC(2026, 10, s, 1)).toISOString(),
          channel: s % 3 === 0 ? "sms" : "private_chat",
          content: s === 6 ? null : `content-${s}-${i % 2}`,
          status,
          reason: status === "skipped" ? (i % 2 ? "expired" : "no-window") : null,
        });
      });
    }
    await t.db.sql.transaction((tx) => insertDeliveries(tx, batch));
    const stored = await t.db.sql.query<Record<string, unknown>>(
      `SELECT key, enrollment_id, customer_id, workspace_id, journey_key, stage, step_id, due_at, channel, content, mode, status, reason FROM deliveries WHERE workspace_id = 'ws-m' ORDER BY key`,
    );
    const expected = batch
      .map((d) => ({
        key: d.key, enrollment_id: d.row.id, customer_id: d.row.customer_id, workspace_id: "ws-m", journey_key: "sales", stage: d.stage, step_id: d.stepId,
        due_at: new Date(d.dueAt), channel: d.channel, content: d.content, mode: d.status === "task" ? "task" : "auto", status: d.status, reason: d.reason,
      }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(stored).toEqual(expected);
  });

  it("stores whole keys whether or not all of an enrollment's keys share its state's journey:customer: prefix", async () => {
    const a = { ...enrollment("e7", "ws-a", "sales"), state: { journey: "sales", customer: "cust-e7" } as EnrollmentRow["state"] };
    const shared = { ...step(a, "s1"), key: "sales:cust-e7:new:1:s1" };
    const other = { ...step(a, "s2"), key: "elsewhere:s2" };
    const b = { ...enrollment("e8", "ws-a", "sales"), state: { journey: "sales", customer: "cust-e8" } as EnrollmentRow["state"] };
    await t.db.sql.transaction((tx) => insertDeliveries(tx, [shared, { ...step(b, "s1"), key: "sales:cust-e8:new:1:s1" }, other]));
    expect(await t.db.sql.query(`SELECT enrollment_id, key FROM deliveries WHERE enrollment_id IN ('e7', 'e8') ORDER BY key`)).toEqual([
      { enrollment_id: "e7", key: "elsewhere:s2" },
      { enrollment_id: "e7", key: "sales:cust-e7:new:1:s1" },
      { enrollment_id: "e8", key: "sales:cust-e8:new:1:s1" },
    ]);
  });
});
