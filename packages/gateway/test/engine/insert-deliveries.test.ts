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
});
