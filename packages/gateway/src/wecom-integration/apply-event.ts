import type { SqlRunner } from "../db/index.js";
import { applyEvents } from "../engine/apply-events.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import type { Notices } from "../engine/persist-advances.js";

/** A behaviour event raised by a WeCom callback. */
export interface ContactEvent {
  id: string;
  name: string;
  at: Date;
  data?: unknown;
}

/**
 * Feeds one event to a customer's active enrollments in the caller's transaction (so transitions
 * and `unless` conditions see it); `exceptStaffId` leaves that staff member's enrollments out. The caller
 * has stored the event: a customer's last interaction is read from the stored events.
 */
export async function applyContactEvent(
  tx: SqlRunner,
  registry: JourneyRegistry,
  args: { workspaceId: string; customerId: string; event: ContactEvent; now: Date; exceptStaffId?: string },
  notices: Notices,
): Promise<number> {
  const { event, ...rest } = args;
  return applyContactEvents(tx, registry, { ...rest, events: [event] }, notices);
}

/** {@link applyContactEvent} for several events of one customer, in order. */
export async function applyContactEvents(
  tx: SqlRunner,
  registry: JourneyRegistry,
  args: { workspaceId: string; customerId: string; events: ContactEvent[]; now: Date; exceptStaffId?: string },
  notices: Notices,
): Promise<number> {
  const { workspaceId, customerId, events, now } = args;
  return applyEvents(
    tx,
    registry,
    workspaceId,
    events.map((event) => ({ customerId, id: event.id, name: event.name, at: event.at.getTime(), ...(event.data !== undefined ? { data: event.data } : {}) })),
    now,
    notices,
    args.exceptStaffId ? { exceptStaffId: args.exceptStaffId } : {},
  );
}
