import type { Database, SqlRunner } from "../db/index.js";
import { insertSkippingStored } from "../db/insert-skipping-stored.js";
import { textArray } from "../db/text-array.js";
import { type JourneyRef, applyEvents } from "../engine/apply-events.js";
import { UnknownJourneyError, enrollCustomers } from "../engine/enroll.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import type { Notices } from "../engine/persist-advances.js";
import { type SegmentRule, assignStaff, findSegmentRule, loadSegmentRules } from "../engine/segments.js";
import { type KnownCustomer, recordSignals } from "../opportunities/record.js";
import { DEFAULT_OPT_OUT_KEYWORDS, applyOptOutKeywords } from "../live-sops/dnd.js";
import { type CheckedEvent, type EventInput, type IngestResult, type RejectedEvent, checkEvent } from "./event-input.js";

const IDENTITY_COLUMN = { external: "external_id", wecom: "wecom_external_user_id", openid: "oa_open_id", unionid: "union_id" } as const;

// Retried ids are the exception, so events are inserted plainly and only a batch that meets a
// stored id is inserted again skipping those; RETURNING says which ids are new.
const EVENT_ROWS = `INSERT INTO events (workspace_id, event_id, customer_id, name, at, data)
  SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])`;
const INSERT_EVENTS = `${EVENT_ROWS} RETURNING event_id`;
const INSERT_EVENTS_SKIPPING_STORED = `${EVENT_ROWS} ON CONFLICT (workspace_id, event_id) DO NOTHING RETURNING event_id`;

/** Who sends the events: a staff member (staff token) may send them only for their own customers. */
export interface IngestScope {
  staffId?: string;
}

interface Accepted extends CheckedEvent {
  index: number;
  event: EventInput;
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
  scope: IngestScope = {},
): Promise<IngestResult> {
  const rejected: RejectedEvent[] = [];
  const accepted: Accepted[] = [];
  events.forEach((event, index) => {
    const checked = checkEvent(event, index, now.getTime());
    if ("code" in checked) rejected.push(checked);
    else accepted.push({ index, event, ...checked });
  });
  let duplicates = 0;
  let stored = 0;
  await db.sql.transaction(async (tx) => {
    const settings = (await tx.query<{ settings: { unknownCustomers?: string; optOutKeywords?: string[] } }>(`SELECT settings FROM workspaces WHERE id = $1`, [workspaceId]))[0]?.settings ?? {};
    // A staff member's events never create customers: whom to route them to is the workspace's call.
    const createUnknown = settings.unknownCustomers === "create" && scope.staffId === undefined;
    const customers = new Map<string, KnownCustomer>();
    await resolveCustomers(tx, registry, workspaceId, scope.staffId, accepted, createUnknown, now, notices, rejected, customers);
    // In event-id order: two batches carrying some of the same ids (a retry while the first is still
    // in flight) then wait for each other in one order instead of deadlocking.
    const known = accepted.filter((a) => a.customerId !== undefined).sort((x, y) => (x.event.id < y.event.id ? -1 : x.event.id > y.event.id ? 1 : x.index - y.index));
    if (known.length === 0) return;
    const inserted = await insertSkippingStored<{ event_id: string }>(tx, INSERT_EVENTS, INSERT_EVENTS_SKIPPING_STORED, [
      workspaceId,
      textArray(known.map((a) => a.event.id)),
      textArray(known.map((a) => a.customerId!)),
      textArray(known.map((a) => a.event.name)),
      textArray(known.map((a) => new Date(a.at).toISOString())),
      textArray(known.map((a) => a.data)),
    ]);
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
    // Before the events advance the journeys: a "TD" that also moves a stage sends nothing more.
    const optedOut = await applyOptOutKeywords(tx, workspaceId, settings.optOutKeywords ?? DEFAULT_OPT_OUT_KEYWORDS, toApply.map((a) => ({ customerId: a.customerId!, name: a.event.name, data: a.event.data })), now);
    notices.removedTasks?.push(...optedOut);
    const customerEvents = toApply.map((a) => ({ customerId: a.customerId!, id: a.event.id, name: a.event.name, at: a.at, ...(a.event.data !== undefined ? { data: a.event.data } : {}) }));
    const journeysOf = new Map<string, JourneyRef[]>();
    await applyEvents(tx, registry, workspaceId, customerEvents, now, notices, { journeysOf });
    // Intent signals and live alerts: after the journeys moved, so an event's stage change is seen first.
    await recordSignals(tx, registry, workspaceId, customerEvents, now, notices, { customers, journeysOf });
  });
  rejected.sort((a, b) => a.index - b.index);
  return { accepted: stored, duplicates, rejected };
}

async function resolveCustomers(
  tx: SqlRunner,
  registry: JourneyRegistry,
  workspaceId: string,
  staffId: string | undefined,
  accepted: Accepted[],
  createUnknown: boolean,
  now: Date,
  notices: Notices,
  rejected: RejectedEvent[],
  info: Map<string, KnownCustomer>,
): Promise<void> {
  // Loaded once a batch meets its first new customer.
  let rules: SegmentRule[] | undefined;
  for (const kind of Object.keys(IDENTITY_COLUMN) as Array<keyof typeof IDENTITY_COLUMN>) {
    const group = accepted.filter((a) => a.kind === kind);
    if (group.length === 0) continue;
    const column = IDENTITY_COLUMN[kind];
    // One index probe per id (LIMIT 1 keeps the lateral lookup from being flattened into a join):
    // for a batch of a thousand ids the planner otherwise scans the whole customers table, which
    // it believes cheaper up to a few hundred thousand customers and which costs ten times more.
    const refs = textArray([...new Set(group.map((a) => a.event.customer))]);
    const rows = await tx.query<{ id: string; ref: string; staff_id: string | null; name: string }>(
      `SELECT c.id, r.ref, c.staff_id, c.name FROM unnest($2::text[]) AS r(ref)
       CROSS JOIN LATERAL (SELECT id, staff_id, COALESCE(name, external_id) AS name FROM customers WHERE workspace_id = $1 AND ${column} = r.ref${staffId === undefined ? "" : " AND staff_id = $3"} LIMIT 1) c`,
      staffId === undefined ? [workspaceId, refs] : [workspaceId, refs, staffId],
    );
    const byRef = new Map(rows.map((r) => [r.ref, r.id]));
    // Kept for the intent signals (a customer created below is read there instead).
    for (const r of rows) info.set(r.id, { staffId: r.staff_id, name: r.name });
    for (const a of group) {
      let id = byRef.get(a.event.customer);
      if (!id && createUnknown) {
        rules ??= await loadSegmentRules(tx, workspaceId);
        const created = await createCustomer(tx, registry, workspaceId, a.event, column, rules, now, notices);
        if (typeof created !== "string") {
          rejected.push({ index: a.index, id: a.event.id, code: "NO_JOURNEY", message: `events[${a.index}].customer: new customer "${a.event.customer}" not created: ${created.reason}` });
          continue;
        }
        id = created;
        byRef.set(a.event.customer, id);
      }
      if (id) a.customerId = id;
      else {
        // Another staff member's customer reads the same as none: a staff token learns nothing of them.
        const where = staffId === undefined ? "in this workspace, which rejects unknown customers" : "among this staff member's customers";
        rejected.push({ index: a.index, id: a.event.id, code: "UNKNOWN_CUSTOMER", message: `events[${a.index}].customer: no customer "${a.event.customer}" (${kind} id) ${where}` });
      }
    }
  }
}

/**
 * First sight of a customer: create them and route them into a journey by the segment rules. A
 * rule whose journey no longer exists refuses the customer (nothing is created, so a retry after
 * the rule is fixed routes them).
 */
async function createCustomer(
  tx: SqlRunner,
  registry: JourneyRegistry,
  workspaceId: string,
  event: EventInput,
  column: string,
  rules: SegmentRule[],
  now: Date,
  notices: Notices,
): Promise<string | { reason: string }> {
  const p = event.profile ?? {};
  const rule = findSegmentRule(rules, p.attributes ?? {});
  if (rule && !(await registry.latest(tx, workspaceId, rule.journey_key))) {
    return { reason: `segment rule "${rule.name}" routes them to a journey that is gone: ${new UnknownJourneyError(rule.journey_key).message}` };
  }
  const externalId = column === "external_id" ? event.customer : `${column}:${event.customer}`;
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO customers (workspace_id, external_id, name, timezone, birthday, attributes${column === "external_id" ? "" : `, ${column}`})
     VALUES ($1, $2, $3, $4, $5, $6::jsonb${column === "external_id" ? "" : ", $7"})
     ON CONFLICT (workspace_id, external_id) DO UPDATE SET external_id = EXCLUDED.external_id RETURNING id`,
    [workspaceId, externalId, p.name ?? null, p.timezone ?? null, p.birthday ?? null, JSON.stringify(p.attributes ?? {}), ...(column === "external_id" ? [] : [event.customer])],
  );
  if (rule) {
    const staffId = await assignStaff(tx, workspaceId, rule);
    if (staffId) await tx.execute(`UPDATE customers SET staff_id = $2 WHERE id = $1`, [row!.id, staffId]);
    await enrollCustomers(tx, registry, [{ workspaceId, customer: { id: row!.id, timezone: p.timezone ?? null, birthday: p.birthday ?? null, attributes: p.attributes ?? null }, journeyKey: rule.journey_key, staffId }], now, notices);
  }
  return row!.id;
}
