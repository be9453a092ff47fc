import type { Database } from "../db/index.js";
import { type AdvancedEnrollment, ENROLLMENT_COLUMNS, type EnrollmentRow } from "./enrollment-row.js";
import type { JourneyRegistry } from "./journey-registry.js";
import { type Notices, persistAdvances } from "./persist-advances.js";

export class EnrollmentNotFoundError extends Error {
  readonly code = "NOT_FOUND";
}

/**
 * A manual move from the board: the customer's enrollment in `journeyKey` enters stage `to` now
 * (a new visit: pending steps of the old stage stop, the new SOP starts). Throws the core's
 * JourneyInputError (code BAD_USER_INPUT upstream) for an unknown stage.
 */
export async function moveCustomer(
  db: Database,
  registry: JourneyRegistry,
  args: { workspaceId: string; customerId: string; journeyKey: string; to: string; by?: string; at: Date; staffId?: string | null },
  notices: Notices,
): Promise<AdvancedEnrollment> {
  return db.sql.transaction(async (tx) => {
    const rows = await tx.query<EnrollmentRow>(
      `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments WHERE workspace_id = $1 AND customer_id = $2 AND journey_key = $3 AND ended_at IS NULL
       ${args.staffId ? "AND staff_id = $4" : ""} ORDER BY id LIMIT 1 FOR UPDATE`,
      [args.workspaceId, args.customerId, args.journeyKey, ...(args.staffId ? [args.staffId] : [])],
    );
    const row = rows[0];
    if (!row) throw new EnrollmentNotFoundError(`customer ${args.customerId} is not in journey "${args.journeyKey}"`);
    await registry.load(tx, [{ workspaceId: row.workspace_id, key: row.journey_key, version: row.journey_version }]);
    const journey = registry.get(row.workspace_id, row.journey_key, row.journey_version);
    const { state, effects } = journey.advance(row.state, { type: "move", to: args.to, at: args.at, ...(args.by ? { by: args.by } : {}) });
    const item = { row, state, effects, journey };
    await persistAdvances(tx, [item], notices);
    return item;
  });
}
