import type { JourneyDefinition } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import { textArray } from "../db/text-array.js";
import type { CustomerEvent, JourneyRef } from "../engine/apply-events.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import type { AlertNotice, Notices } from "../engine/persist-advances.js";
import { ALERT_EVENTS, type OpportunityKind, alertText, classify, contentOf } from "./signals.js";

interface CustomerRow {
  id: string;
  staff_id: string | null;
  name: string;
  journeys: readonly JourneyRef[];
}

interface Pending {
  customerId: string;
  staffId: string | null;
  kind: OpportunityKind;
  intent: number;
  signal: string;
  content: string | null;
  signals: number;
  first: number;
  last: number;
}

// One row per (customer, kind) of the batch: ON CONFLICT cannot touch a row twice in one statement.
const UPSERT = `INSERT INTO opportunities (workspace_id, customer_id, staff_id, kind, intent, signal, content, signals, first_signal_at, last_signal_at, customer_name)
  SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::int[], $9::timestamptz[], $10::timestamptz[], $11::text[])
  ON CONFLICT (customer_id, kind) WHERE answered_at IS NULL DO UPDATE SET
    signal = CASE WHEN EXCLUDED.intent > opportunities.intent THEN EXCLUDED.signal ELSE opportunities.signal END,
    intent = GREATEST(opportunities.intent, EXCLUDED.intent),
    content = COALESCE(EXCLUDED.content, opportunities.content),
    signals = opportunities.signals + EXCLUDED.signals,
    staff_id = EXCLUDED.staff_id,
    customer_name = EXCLUDED.customer_name,
    first_signal_at = LEAST(opportunities.first_signal_at, EXCLUDED.first_signal_at),
    last_signal_at = GREATEST(opportunities.last_signal_at, EXCLUDED.last_signal_at)`;

/** What ingest already read of the batch's customers: their staff member and name, their active journeys. */
export interface KnownCustomer {
  staffId: string | null;
  name: string;
}
export interface KnownCustomers {
  customers: ReadonlyMap<string, KnownCustomer>;
  journeysOf: ReadonlyMap<string, readonly JourneyRef[]>;
}

/**
 * Turns a batch of stored events into opportunities and live alerts, in the ingest transaction:
 * signals (by the `opportunities` config of the journeys each customer is in) open or strengthen the
 * customer's open opportunity of that kind; opens, reads, clicks and replies of a customer who has a
 * staff member go on that member's feed (published after commit). `known` spares reading the
 * customers again when ingest already did.
 */
export async function recordSignals(
  tx: SqlRunner,
  registry: JourneyRegistry,
  workspaceId: string,
  events: readonly CustomerEvent[],
  now: Date,
  notices: Notices,
  known?: KnownCustomers,
): Promise<void> {
  if (events.length === 0) return;
  const byId = await customersOf(tx, workspaceId, events, known);
  const wanted = [...byId.values()].flatMap((c) => c.journeys.map((j) => ({ workspaceId, ...j })));
  await registry.load(tx, wanted);
  const definitions = (c: CustomerRow): JourneyDefinition[] => c.journeys.map((j) => registry.get(workspaceId, j.key, j.version).definition);

  const pending = new Map<string, Pending>();
  const alerts: Array<{ event: CustomerEvent; customer: CustomerRow; at: number; content: string | null }> = [];
  for (const e of events) {
    const customer = byId.get(e.customerId);
    if (!customer) continue;
    // A slightly fast client clock must not make a signal look newer than now.
    const at = Math.min(e.at, now.getTime());
    const content = contentOf(e.data);
    if (ALERT_EVENTS.has(e.name) && customer.staff_id) alerts.push({ event: e, customer, at, content });
    const signal = classify(e.name, e.data, definitions(customer));
    if (!signal) continue;
    const key = `${e.customerId}\u0000${signal.kind}`;
    const p = pending.get(key);
    if (!p) {
      pending.set(key, { customerId: e.customerId, staffId: customer.staff_id, kind: signal.kind, intent: signal.intent, signal: e.name, content, signals: 1, first: at, last: at });
      continue;
    }
    if (signal.intent > p.intent) {
      p.intent = signal.intent;
      p.signal = e.name;
    }
    if (at >= p.last && content) p.content = content;
    p.signals++;
    p.first = Math.min(p.first, at);
    p.last = Math.max(p.last, at);
  }
  if (pending.size > 0) {
    const rows = [...pending.values()];
    await tx.execute(UPSERT, [
      workspaceId,
      textArray(rows.map((r) => r.customerId)),
      textArray(rows.map((r) => r.staffId)),
      textArray(rows.map((r) => r.kind)),
      textArray(rows.map((r) => r.intent)),
      textArray(rows.map((r) => r.signal)),
      textArray(rows.map((r) => r.content)),
      textArray(rows.map((r) => r.signals)),
      textArray(rows.map((r) => new Date(r.first).toISOString())),
      textArray(rows.map((r) => new Date(r.last).toISOString())),
      textArray(rows.map((r) => byId.get(r.customerId)!.name)),
    ]);
    notices.boards.add(workspaceId);
  }
  if (alerts.length > 0) {
    const titles = await contentTitles(tx, workspaceId, alerts.map((a) => a.content));
    (notices.alerts ??= []).push(
      ...alerts.map(({ event, customer, at, content }): AlertNotice => {
        const contentTitle = content ? (titles.get(content) ?? content) : null;
        return {
          id: `alert:${event.id}`,
          seq: "0",
          workspaceId,
          staffId: customer.staff_id!,
          customerId: customer.id,
          kind: "alert",
          channel: null,
          content,
          title: alertText(event.name, customer.name, contentTitle),
          dueAt: new Date(at).toISOString(),
          deliveryKey: null,
          alert: { reason: "intent", event: event.name, customerName: customer.name, contentTitle, at: new Date(at).toISOString(), forStaffId: null },
        };
      }),
    );
  }
}

/**
 * The batch's customers with their staff member, name and active journeys: from what ingest already
 * read where it can (no query for an ordinary batch), else read here (customers created by the batch,
 * other callers).
 */
async function customersOf(tx: SqlRunner, workspaceId: string, events: readonly CustomerEvent[], known?: KnownCustomers): Promise<Map<string, CustomerRow>> {
  const byId = new Map<string, CustomerRow>();
  const missing = new Set<string>();
  for (const { customerId: id } of events) {
    if (byId.has(id) || missing.has(id)) continue;
    const c = known?.customers.get(id);
    if (c) byId.set(id, { id, staff_id: c.staffId, name: c.name, journeys: known!.journeysOf.get(id) ?? [] });
    else missing.add(id);
  }
  if (missing.size === 0) return byId;
  const rows = await tx.query<{ id: string; staff_id: string | null; name: string; journeys: string[] | null }>(
    `SELECT c.id, c.staff_id, COALESCE(c.name, c.external_id) AS name,
       (SELECT array_agg(e.journey_key || ':' || e.journey_version) FROM enrollments e WHERE e.customer_id = c.id AND e.ended_at IS NULL) AS journeys
     FROM customers c WHERE c.workspace_id = $1 AND c.id = ANY($2::text[])`,
    [workspaceId, textArray([...missing])],
  );
  for (const r of rows) byId.set(r.id, { ...r, journeys: (r.journeys ?? []).map(parseJourneyRef) });
  return byId;
}

function parseJourneyRef(ref: string): JourneyRef {
  const i = ref.lastIndexOf(":");
  return { key: ref.slice(0, i), version: Number(ref.slice(i + 1)) };
}

async function contentTitles(tx: SqlRunner, workspaceId: string, refs: Array<string | null>): Promise<Map<string, string>> {
  const wanted = [...new Set(refs.filter((r): r is string => r !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await tx.query<{ ref: string; title: string }>(`SELECT ref, title FROM contents WHERE workspace_id = $1 AND ref = ANY($2::text[])`, [workspaceId, textArray(wanted)]);
  return new Map(rows.map((r) => [r.ref, r.title]));
}
