// Shared set-up for delivery tests: a workspace, a journey whose entry step is due at once on a
// given channel, and n enrolled customers (so n 'due' deliveries exist).
import type { JourneyDefinition } from "@sopline/core";
import type { Database } from "../../src/db/index.js";
import { enrollCustomers } from "../../src/engine/enroll.js";
import { JourneyRegistry } from "../../src/engine/journey-registry.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { SH, seedCustomers, seedWorkspace } from "../engine/fixtures.js";

export const T0 = new Date("2026-11-23T02:00:00Z"); // Monday 10:00 in Shanghai

export function touchJourney(channel: string, id = `touch-${channel.replace(/_/g, "-")}`): JourneyDefinition {
  return {
    id, version: 1, timezone: SH, entry: "new",
    stages: [{ id: "new", sop: [
      { id: "hello", after: "0m", channel: channel as "webhook", content: "hello" },
      { id: "later", after: "1h", channel: "sms", content: "sms-1" },
    ] }],
  };
}

export async function setupDeliveries(db: Database, channel: string, n: number, at: Date = T0) {
  const journey = touchJourney(channel);
  const seeded = await seedWorkspace(db, [journey]);
  const registry = new JourneyRegistry();
  const customers = await seedCustomers(db.sql, seeded.workspaceId, n, seeded.staff[0]!);
  await db.sql.transaction((tx) =>
    enrollCustomers(tx, registry, customers.map((id) => ({ workspaceId: seeded.workspaceId, customer: { id }, journeyKey: journey.id, staffId: seeded.staff[0]! })), at, emptyNotices()),
  );
  await db.sql.execute(`INSERT INTO contents (workspace_id, ref, title, body, type) VALUES ($1, 'hello', 'Hello', $2::jsonb, 'greeting')`, [seeded.workspaceId, JSON.stringify({ text: "你好 👋" })]);
  return { ...seeded, registry, customers };
}

export async function deliveryRows(db: Database, workspaceId: string, channel?: string) {
  return db.sql.query<{ key: string; status: string; attempts: number; provider_error: string | null; provider_id: string | null; reason: string | null; next_attempt_at: Date | null; sent_at: Date | null; customer_id: string }>(
    `SELECT key, status, attempts, provider_error, provider_id, reason, next_attempt_at, sent_at, customer_id FROM deliveries WHERE workspace_id = $1 AND ($2::text IS NULL OR channel = $2) ORDER BY key`,
    [workspaceId, channel ?? null],
  );
}
