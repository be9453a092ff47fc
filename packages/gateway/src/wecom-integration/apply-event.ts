import type { JourneyState } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import { type AdvancedEnrollment, ENROLLMENT_COLUMNS, type EnrollmentRow } from "../engine/enrollment-row.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import { type Notices, persistAdvances } from "../engine/persist-advances.js";

/** A behaviour event raised by a WeCom callback. */
export interface ContactEvent {
  id: string;
  name: string;
  at: Date;
  data?: unknown;
}

/**
 * Feeds one event to a customer's active enrollments in the caller's transaction (so transitions
 * and `unless` conditions see it) and stamps customers.last_event_at. The same steps as
 * events/ingest.ts for a single, already-stored event; `exceptStaffId` leaves that staff member's
 * enrollments out.
 */
export async function applyContactEvent(
  tx: SqlRunner,
  registry: JourneyRegistry,
  args: { workspaceId: string; customerId: string; event: ContactEvent; now: Date; exceptStaffId?: string },
  notices: Notices,
): Promise<number> {
  const { workspaceId, customerId, event, now } = args;
  await tx.execute(`UPDATE customers SET last_event_at = GREATEST(last_event_at, $2) WHERE id = $1`, [customerId, event.at]);
  const rows = await tx.query<EnrollmentRow>(
    `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments
     WHERE workspace_id = $1 AND customer_id = $2 AND ended_at IS NULL AND ($3::text IS NULL OR staff_id IS DISTINCT FROM $3)
     ORDER BY id FOR UPDATE`,
    [workspaceId, customerId, args.exceptStaffId ?? null],
  );
  if (rows.length === 0) return 0;
  await registry.load(tx, rows.map((r) => ({ workspaceId, key: r.journey_key, version: r.journey_version })));
  // A callback stamped slightly ahead of our clock must not fire steps early.
  const at = Math.min(event.at.getTime(), now.getTime());
  const items: AdvancedEnrollment[] = rows.map((row) => {
    const journey = registry.get(workspaceId, row.journey_key, row.journey_version);
    const state: JourneyState = row.state;
    const next = journey.advance(state, { type: "event", id: event.id, name: event.name, at, ...(event.data !== undefined ? { data: event.data } : {}) });
    return { row, state: next.state, effects: next.effects };
  });
  await persistAdvances(tx, items, notices);
  return rows.length;
}
