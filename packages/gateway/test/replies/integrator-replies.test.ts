import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { JourneyRegistry } from "../../src/engine/journey-registry.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { ingestEvents } from "../../src/events/ingest.js";
import { seedCustomers, seedWorkspace } from "../engine/fixtures.js";

// An integrator's own reply and deletion events go through the ordinary ingest API with the source
// they give; they sit beside sopline's own sources under the same names, so one query counts them.

const NOW = new Date("2026-12-07T02:00:00Z");

describe("integrator replies and deletions (pglite)", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("keeps data.source as given, and replies and deletions count by source", async () => {
    const { workspaceId } = await seedWorkspace(t.db, []);
    await seedCustomers(t.db.sql, workspaceId, 2, null, "crm-");
    const at = new Date(NOW.getTime() - 60_000);
    const result = await ingestEvents(t.db, new JourneyRegistry(), workspaceId, [
      { id: "crm-r1", customer: "crm-0", name: "message.replied", at, data: { source: "crm", text: "ok" } },
      { id: "crm-r2", customer: "crm-1", name: "message.replied", at, data: { source: "sms_gateway" } },
      { id: "crm-d1", customer: "crm-1", name: "contact.deleted", at, data: { source: "crm", by: "customer" } },
    ], NOW, emptyNotices());
    expect(result).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    const bySource = await t.db.sql.query<{ name: string; source: string; n: number }>(
      `SELECT name, data->>'source' AS source, count(*)::int AS n FROM events WHERE workspace_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`, [workspaceId],
    );
    expect(bySource).toEqual([
      { name: "contact.deleted", source: "crm", n: 1 },
      { name: "message.replied", source: "crm", n: 1 },
      { name: "message.replied", source: "sms_gateway", n: 1 },
    ]);
  });
});
