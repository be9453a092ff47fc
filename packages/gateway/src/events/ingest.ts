import type { JourneyState } from "@sopline/core";
import type { Database, SqlRunner } from "../db/index.js";
import { type AdvancedEnrollment, ENROLLMENT_COLUMNS, type EnrollmentRow } from "../engine/enrollment-row.js";
import { enrollCustomers } from "../engine/enroll.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import { type Notices, persistAdvances } from "../engine/persist-advances.js";
import { routeCustomer } from "../engine/segments.js";
import { type EventInput, type IngestResult, type RejectedEvent, checkEvent } from "./event-input.js";

const IDENTITY_COLUMN = { external: "external_id", wecom: "wecom_external_user_id", openid: "oa_open_id", unionid: "union_id" } as const;

interface Accepted {
  index: number;
  event: EventInput;
  at: number;
  customerId?: string;
}

/**
 * Ingests a batch of behaviour events in one transaction: invalid ones are rejected one by one with
 * a reason and the rest kept; a retried id is a duplicate; each customer's enrollments are locked and
 * advanced through their new events in time order (the core treats an event older than what was
 * already processed as late: it counts, without rewriting what was sent).
 */
export async function ingestEvents(
  db: Database,
  registry: JourneyRegistry,
  workspaceId: string,
  events: EventInput[],
  now: Date,
  notices: Notices,
): Promise<IngestResult> {
  const rejected: RejectedEvent[] = [];
  const accepted: Accepted[] = [];
  events.forEach((event, index) => {
    const checked = checkEvent(event, index, now.getTime());
    if (typeof checked === "number") accepted.push({ index, event, at: checked });
    else rejected.push(checked);
  });
  let duplicates = 0;
  let stored = 0;
  await db.sql.transaction(async (tx) => {
    const settings = (await tx.query<{ settings: { unknownCustomers?: string } }>(`SELECT settings FROM workspaces WHERE id = $1`, [workspaceId]))[0]?.settings ?? {};
    await resolveCustomers(tx, registry, workspaceId, accepted, settings.unknownCustomers === "create", now, notices, rejected);
    const known = accepted.filter((a) => a.customerId !== undefined);
    if (known.length === 0) return;
    const inserted = await tx.query<{ event_id: string }>(
      `INSERT INTO events (workspace_id, event_id, customer_id, name, at, data)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])
       ON CONFLICT (workspace_id, event_id) DO NOTHING RETURNING event_id`,
      [workspaceId, known.map((a) => a.event.id), known.map((a) => a.customerId!), known.map((a) => a.event.name), known.map((a) => new Date(a.at)), known.map((a) => JSON.stringify(a.event.data ?? {}))],
    );
    const fresh = new Set(inserted.map((r) => r.event_id));
    // The same id twice in one batch counts once too.
    const seen = new Set<string>();
    const toApply = known.filter((a) => {
      if (!fresh.has(a.event.id) || seen.has(a.event.id)) return false;
      seen.add(a.event.id);
      return true;
    });
    stored = toApply.length;
    duplicates = known.length - toApply.length;
    if (toApply.length === 0) return;
    await applyToEnrollments(tx, registry, workspaceId, toApply, now, notices);
    await tx.execute(
      `UPDATE customers c SET last_event_at = GREATEST(c.last_event_at, v.at) FROM (SELECT cid, max(at) AS at FROM unnest($1::text[], $2::timestamptz[]) AS u(cid, at) GROUP BY cid) v WHERE c.id = v.cid`,
      [toApply.map((a) => a.customerId!), toApply.map((a) => new Date(a.at))],
    );
  });
  rejected.sort((a, b) => a.index - b.index);
  return { accepted: stored, duplicates, rejected };
}

async function resolveCustomers(
  tx: SqlRunner,
  registry: JourneyRegistry,
  workspaceId: string,
  accepted: Accepted[],
  createUnknown: boolean,
  now: Date,
  notices: Notices,
  rejected: RejectedEvent[],
): Promise<void> {
  for (const kind of Object.keys(IDENTITY_COLUMN) as Array<keyof typeof IDENTITY_COLUMN>) {
    const group = accepted.filter((a) => (a.event.customerIdKind ?? "external") === kind);
    if (group.length === 0) continue;
    const column = IDENTITY_COLUMN[kind];
    const rows = await tx.query<{ id: string; ref: string }>(
      `SELECT id, ${column} AS ref FROM customers WHERE workspace_id = $1 AND ${column} = ANY($2::text[])`,
      [workspaceId, [...new Set(group.map((a) => a.event.customer))]],
    );
    const byRef = new Map(rows.map((r) => [r.ref, r.id]));
    for (const a of group) {
      let id = byRef.get(a.event.customer);
      if (!id && createUnknown) {
        id = await createCustomer(tx, registry, workspaceId, a.event, column, now, notices);
        byRef.set(a.event.customer, id);
      }
      if (id) a.customerId = id;
      else rejected.push({ index: a.index, id: a.event.id, code: "UNKNOWN_CUSTOMER", message: `events[${a.index}].customer: no customer "${a.event.customer}" (${kind} id) in this workspace, which rejects unknown customers` });
    }
  }
}

/** First sight of a customer: create them and route them into a journey by the segment rules. */
async function createCustomer(tx: SqlRunner, registry: JourneyRegistry, workspaceId: string, event: EventInput, column: string, now: Date, notices: Notices): Promise<string> {
  const p = event.profile ?? {};
  const externalId = column === "external_id" ? event.customer : `${column}:${event.customer}`;
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO customers (workspace_id, external_id, name, timezone, birthday, attributes${column === "external_id" ? "" : `, ${column}`})
     VALUES ($1, $2, $3, $4, $5, $6::jsonb${column === "external_id" ? "" : ", $7"})
     ON CONFLICT (workspace_id, external_id) DO UPDATE SET external_id = EXCLUDED.external_id RETURNING id`,
    [workspaceId, externalId, p.name ?? null, p.timezone ?? null, p.birthday ?? null, JSON.stringify(p.attributes ?? {}), ...(column === "external_id" ? [] : [event.customer])],
  );
  const route = await routeCustomer(tx, workspaceId, p.attributes ?? {});
  if (route) {
    if (route.staffId) await tx.execute(`UPDATE customers SET staff_id = $2 WHERE id = $1`, [row!.id, route.staffId]);
    await enrollCustomers(tx, registry, [{ workspaceId, customer: { id: row!.id, timezone: p.timezone ?? null, birthday: p.birthday ?? null, attributes: p.attributes ?? null }, journeyKey: route.journeyKey, staffId: route.staffId }], now, notices);
  }
  return row!.id;
}

async function applyToEnrollments(tx: SqlRunner, registry: JourneyRegistry, workspaceId: string, events: Accepted[], now: Date, notices: Notices): Promise<void> {
  const customers = [...new Set(events.map((a) => a.customerId!))];
  // Locks wait for a scheduler batch holding the same enrollment, then read its committed state.
  const rows = await tx.query<EnrollmentRow>(
    `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments WHERE workspace_id = $1 AND customer_id = ANY($2::text[]) AND ended_at IS NULL ORDER BY id FOR UPDATE`,
    [workspaceId, customers],
  );
  if (rows.length === 0) return;
  await registry.load(tx, rows.map((r) => ({ workspaceId, key: r.journey_key, version: r.journey_version })));
  const byCustomer = new Map<string, Accepted[]>();
  for (const a of events) byCustomer.set(a.customerId!, [...(byCustomer.get(a.customerId!) ?? []), a]);
  const items: AdvancedEnrollment[] = [];
  for (const row of rows) {
    const journey = registry.get(workspaceId, row.journey_key, row.journey_version);
    let state: JourneyState = row.state;
    const effects = [];
    for (const a of (byCustomer.get(row.customer_id) ?? []).sort((x, y) => x.at - y.at)) {
      // A slightly fast client clock must not make steps fire before their time here.
      const at = Math.min(a.at, now.getTime());
      const next = journey.advance(state, { type: "event", id: a.event.id, name: a.event.name, at, ...(a.event.data !== undefined ? { data: a.event.data } : {}) });
      state = next.state;
      effects.push(...next.effects);
    }
    items.push({ row, state, effects });
  }
  await persistAdvances(tx, items, notices);
}
