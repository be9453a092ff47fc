import type { Effect, JourneyState } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import { textArray } from "../db/text-array.js";
import { type AdvancedEnrollment, ENROLLMENT_COLUMNS, type EnrollmentRow } from "./enrollment-row.js";
import type { JourneyRegistry } from "./journey-registry.js";
import { type Notices, persistAdvances } from "./persist-advances.js";

/** A behaviour event already stored, for one customer. */
export interface CustomerEvent {
  customerId: string;
  id: string;
  name: string;
  /** Epoch ms of when it happened. */
  at: number;
  data?: unknown;
}

/** A journey version a customer is enrolled in. */
export interface JourneyRef {
  key: string;
  version: number;
}

/**
 * Feeds events to their customers' active enrollments in the caller's transaction: the
 * enrollments are locked (waiting for a scheduler batch that holds them, then reading its committed
 * state), each is advanced through its customer's events in time order, and the results are
 * persisted. `exceptStaffId` leaves that staff member's enrollments out; `journeysOf`, when given, is
 * filled with each customer's active journeys (read anyway here, so later steps need not read them). Returns how many
 * enrollments were advanced.
 */
export async function applyEvents(
  tx: SqlRunner,
  registry: JourneyRegistry,
  workspaceId: string,
  events: CustomerEvent[],
  now: Date,
  notices: Notices,
  options: { exceptStaffId?: string; journeysOf?: Map<string, JourneyRef[]> } = {},
): Promise<number> {
  const customers = [...new Set(events.map((e) => e.customerId))];
  const rows = await tx.query<EnrollmentRow>(
    `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments
     WHERE workspace_id = $1 AND customer_id = ANY($2::text[]) AND ended_at IS NULL AND ($3::text IS NULL OR staff_id IS DISTINCT FROM $3)
     ORDER BY id FOR UPDATE`,
    [workspaceId, textArray(customers), options.exceptStaffId ?? null],
  );
  if (options.journeysOf) for (const r of rows) {
    const list = options.journeysOf.get(r.customer_id);
    const ref = { key: r.journey_key, version: r.journey_version };
    if (list) list.push(ref);
    else options.journeysOf.set(r.customer_id, [ref]);
  }
  if (rows.length === 0) return 0;
  await registry.load(tx, rows.map((r) => ({ workspaceId, key: r.journey_key, version: r.journey_version })));
  const byCustomer = new Map<string, CustomerEvent[]>();
  for (const e of events) {
    const list = byCustomer.get(e.customerId);
    if (list) list.push(e);
    else byCustomer.set(e.customerId, [e]);
  }
  const items: AdvancedEnrollment[] = rows.map((row) => {
    const journey = registry.get(workspaceId, row.journey_key, row.journey_version);
    let state: JourneyState = row.state;
    const effects: Effect[] = [];
    for (const e of (byCustomer.get(row.customer_id) ?? []).sort((x, y) => x.at - y.at)) {
      // A slightly fast client (or callback) clock must not make steps fire before their time here.
      const at = Math.min(e.at, now.getTime());
      const next = journey.advance(state, { type: "event", id: e.id, name: e.name, at, ...(e.data !== undefined ? { data: e.data } : {}) });
      state = next.state;
      effects.push(...next.effects);
    }
    return { row, state, effects, journey };
  });
  await persistAdvances(tx, items, notices);
  return rows.length;
}
