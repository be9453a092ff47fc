// A small scripted metrics scenario written straight into the tables (times injected), with the
// numbers a person computes by hand in metrics.test.ts. Days are China time (UTC+8).
import type { SqlRunner } from "../../src/db/sql.js";

export const JOURNEY = {
  id: "b2b", version: 1, timezone: "Asia/Shanghai", entry: "new",
  goal: { event: "trial.started", within: "7d" },
  stages: [{ id: "new", sop: [
    { id: "greet", after: "0m", channel: "private_chat", content: "greeting" },
    { id: "case", day: 1, at: "10:00", channel: "private_chat", content: "case-1" },
  ] }],
};

export interface Ids { ws: string; staffA: string; staffB: string }

const t = (iso: string) => new Date(iso);

export async function seedScenario(sql: SqlRunner, ids: Ids): Promise<void> {
  const { ws, staffA, staffB } = ids;
  await sql.execute(`INSERT INTO journeys (workspace_id, key, version, definition) VALUES ($1, 'b2b', 1, $2)`, [ws, JSON.stringify(JOURNEY)]);
  for (const [c, staff] of [["c1", staffA], ["c2", staffA], ["c3", staffB]] as const) {
    await sql.execute(`INSERT INTO customers (id, workspace_id, external_id, staff_id) VALUES ($1, $2, $1, $3)`, [`${ws}-${c}`, ws, staff]);
    // entered Tuesday 2026-12-01 09:00 China time: cohort week 2026-11-30
    await sql.execute(
      `INSERT INTO enrollments (id, workspace_id, customer_id, journey_key, journey_version, staff_id, owner_key, stage, created_at)
       VALUES ($1, $2, $3, 'b2b', 1, $4, $4, 'new', '2026-12-01T01:00:00Z')`,
      [`${ws}-e-${c}`, ws, `${ws}-${c}`, staff],
    );
  }
  const delivery = (key: string, c: string, step: string, mode: string, status: string, at: string) =>
    sql.execute(
      `INSERT INTO deliveries (key, workspace_id, enrollment_id, customer_id, journey_key, stage, step_id, due_at, channel, content, mode, status, sent_at)
       VALUES ($1, $2, $3, $4, 'b2b', 'new', $5, $6, 'private_chat', $7, $8, $9, $10)`,
      [`${ws}:${key}`, ws, `${ws}-e-${c}`, `${ws}-${c}`, step, t(at), step === "greet" ? "greeting" : "case-1", mode, status, status === "sent" ? t(at) : null],
    );
  await delivery("d1", "c1", "greet", "auto", "sent", "2026-12-01T02:00:00Z");
  await delivery("d2", "c1", "case", "mass_send", "sent", "2026-12-02T02:00:00Z"); // 群发 confirmed
  await delivery("d3", "c2", "greet", "auto", "sent", "2026-12-01T02:00:00Z");
  await delivery("d4", "c3", "greet", "auto", "failed", "2026-12-01T02:00:00Z");
  await delivery("d5", "c3", "case", "auto", "sent", "2026-12-02T02:00:00Z");
  await delivery("d6", "c2", "case", "auto", "due", "2026-12-02T02:00:00Z"); // not sent yet: not counted
  const received = t("2026-12-06T00:00:00Z");
  const events: Array<[string, string, string, Record<string, unknown>]> = [
    ["c1", "content.opened", "2026-12-01T03:00:00Z", { deliveryKey: `${ws}:d1`, step: "greet", content: "greeting", link: 0 }],
    ["c1", "content.read", "2026-12-02T03:00:00Z", { deliveryKey: `${ws}:d2`, seconds: 30 }],
    ["c1", "content.read", "2026-12-02T03:10:00Z", { deliveryKey: `${ws}:d2`, seconds: 90 }],
    ["c2", "link.clicked", "2026-12-01T05:00:00Z", {}], // no key: the last touch before it, d3
    ["c1", "message.replied", "2026-12-01T20:00:00Z", {}], // 18 h after d1
    ["c2", "message.replied", "2026-12-03T12:00:00Z", {}], // 58 h after d3: 72 h only
    ["c3", "contact.deleted", "2026-12-03T00:00:00Z", { by: "customer" }], // last touch d5 (d4 failed)
    ["c2", "contact.deleted", "2026-12-03T00:00:00Z", { by: "staff" }], // the staff member's doing: not counted
    ["c1", "trial.started", "2026-12-04T00:00:00Z", {}], // converted, last touch d2
    ["c1", "trial.started", "2026-12-05T00:00:00Z", {}], // a second one: not another conversion
    ["c3", "trial.started", "2026-12-20T00:00:00Z", {}], // past the goal's 7 days
    ["c1", "demo.booked", "2026-12-02T06:00:00Z", {}],
    ["c3", "demo.booked", "2026-12-03T06:00:00Z", {}],
  ];
  let n = 0;
  for (const [c, name, at, data] of events) await insertEvent(sql, ws, `ev${++n}`, `${ws}-${c}`, name, at, data, received);
}

export function insertEvent(sql: SqlRunner, ws: string, id: string, customerId: string, name: string, at: string, data: Record<string, unknown>, receivedAt: Date) {
  return sql.execute(
    `INSERT INTO events (workspace_id, event_id, customer_id, name, at, data, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [ws, id, customerId, name, t(at), JSON.stringify(data), receivedAt],
  );
}
