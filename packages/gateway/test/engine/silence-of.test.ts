import type { JourneyDefinition } from "@sopline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { enrollCustomers } from "../../src/engine/enroll.js";
import { JourneyRegistry } from "../../src/engine/journey-registry.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { createScheduler } from "../../src/engine/scheduler.js";
import { ingestEvents } from "../../src/events/ingest.js";
import { SH, seedCustomers, seedWorkspace } from "./fixtures.js";

// `silentFor: "7d", of: ["app.login"]` through the gateway: events ingested, states stored, the
// scheduler moving only the customers without a login (replies do not count).

const T0 = new Date("2026-11-23T02:00:00Z");
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);
const app: JourneyDefinition = {
  id: "app", version: 1, timezone: SH, entry: "active",
  stages: [
    { id: "active", sop: [] },
    { id: "lapsing", sop: [{ id: "nudge", after: "0m", channel: "sms", content: "come-back" }] },
  ],
  transitions: [
    { from: "active", to: "lapsing", silentFor: "7d", of: ["app.login"] },
    { from: "lapsing", to: "active", on: "app.login" },
  ],
};

describe.each(["pglite", "postgres"] as const)("silence of named events on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("moves the customer without a login after 7 days though they replied; one who logged in moves 7 days after the login", async () => {
    const { workspaceId } = await seedWorkspace(t.db, [app]);
    const registry = new JourneyRegistry();
    const ids = await seedCustomers(t.db.sql, workspaceId, 2, null, "app-");
    await t.db.sql.transaction((tx) => enrollCustomers(tx, registry, ids.map((id) => ({ workspaceId, customer: { id }, journeyKey: "app" })), T0, emptyNotices()));
    const ingested = await ingestEvents(t.db, registry, workspaceId, [
      { id: "login-a", customer: "app-0", name: "app.login", at: hours(48) },
      { id: "reply-a", customer: "app-0", name: "message.replied", at: hours(144) },
      { id: "reply-b", customer: "app-1", name: "message.replied", at: hours(48) },
    ], hours(150), emptyNotices());
    expect(ingested.accepted).toBe(3);
    const rows = () =>
      t.db.sql.query<{ external_id: string; stage: string; heard: Record<string, number> | null }>(
        `SELECT c.external_id, e.stage, (e.state::jsonb)->'heard' AS heard FROM enrollments e JOIN customers c ON c.id = e.customer_id WHERE e.workspace_id = $1 ORDER BY c.external_id`,
        [workspaceId],
      );
    expect(await rows()).toEqual([
      { external_id: "app-0", stage: "active", heard: { "app.login": hours(48).getTime() } },
      { external_id: "app-1", stage: "active", heard: null },
    ]);
    const scheduler = createScheduler({ db: t.db, registry, clock: () => hours(168) });
    await scheduler.runOnce(hours(168));
    expect((await rows()).map((r) => `${r.external_id}:${r.stage}`)).toEqual(["app-0:active", "app-1:lapsing"]);
    await scheduler.runOnce(hours(48 + 168));
    expect((await rows()).map((r) => `${r.external_id}:${r.stage}`)).toEqual(["app-0:lapsing", "app-1:lapsing"]);
    const nudges = await t.db.sql.query<{ due_at: Date }>(`SELECT due_at FROM deliveries WHERE workspace_id = $1 AND step_id = 'nudge' ORDER BY due_at`, [workspaceId]);
    expect(nudges.map((n) => new Date(n.due_at).toISOString())).toEqual([hours(168).toISOString(), hours(216).toISOString()]);
  });
});
