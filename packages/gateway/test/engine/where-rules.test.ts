import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JourneyDefinition } from "@sopline/core";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { enrollCustomers } from "../../src/engine/enroll.js";
import { JourneyRegistry } from "../../src/engine/journey-registry.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { createScheduler } from "../../src/engine/scheduler.js";
import { ingestEvents } from "../../src/events/ingest.js";
import { count, seedCustomers, seedWorkspace } from "./fixtures.js";

// End to end: a 60 s read of a case arrives through event ingest, a where-rule tags the customer
// high-intent and the tag moves them to "interested", whose SOP then fires.

const T0 = new Date("2026-12-07T01:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

const caseReaders: JourneyDefinition = {
  id: "case-readers", version: 1, timezone: "Asia/Shanghai", entry: "new",
  stages: [
    { id: "new", sop: [{ id: "case", after: "0m", channel: "private_chat", content: "case-1", mode: "task" }] },
    { id: "interested", sop: [{ id: "call", after: "0m", channel: "call", content: "call-script", mode: "task" }] },
  ],
  tagRules: [{ on: "content.read", where: { "data.seconds": { gte: 60 }, "data.content": "case-1" }, tag: "high-intent" }],
  transitions: [{ from: "new", to: "interested", tag: "high-intent" }],
};

describe("rules on event data through event ingest (pglite)", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("a 60 s read of case-1 tags high-intent and moves the customer to interested; a 20 s read does not", async () => {
    const { workspaceId, staff } = await seedWorkspace(t.db, [caseReaders]);
    const registry = new JourneyRegistry();
    const ids = await seedCustomers(t.db.sql, workspaceId, 2, staff[0]!, "reader-");
    await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, registry, ids.map((id) => ({ workspaceId, customer: { id }, journeyKey: "case-readers", staffId: staff[0]! })), T0, emptyNotices()),
    );
    const result = await ingestEvents(t.db, registry, workspaceId, [
      { id: "r1", customer: "reader-0", name: "content.read", at: minutes(10), data: { seconds: 60, content: "case-1" } },
      { id: "r2", customer: "reader-1", name: "content.read", at: minutes(10), data: { seconds: 20, content: "case-1" } },
    ], minutes(11), emptyNotices());
    expect(result).toMatchObject({ accepted: 2, rejected: [] });
    const stages = await t.db.sql.query<{ external_id: string; stage: string }>(
      `SELECT c.external_id, e.stage FROM enrollments e JOIN customers c ON c.id = e.customer_id WHERE c.workspace_id = $1 ORDER BY c.external_id`, [workspaceId],
    );
    expect(stages).toEqual([{ external_id: "reader-0", stage: "interested" }, { external_id: "reader-1", stage: "new" }]);
    const tags = await t.db.sql.query<{ customer_id: string; tag: string }>(`SELECT customer_id, tag FROM customer_tags WHERE customer_id = ANY($1::text[])`, [ids]);
    expect(tags.map((r) => r.tag)).toEqual(["high-intent"]);
    await createScheduler({ db: t.db, registry, clock: () => minutes(12) }).runOnce(minutes(12));
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM deliveries WHERE customer_id = ANY($1::text[]) AND step_id = 'call'`, [ids])).toBe(1);
  });
});
