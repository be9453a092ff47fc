import type { Database } from "../db/index.js";
import { type Actor, writeAudit } from "./audit.js";
import { LiveSopError } from "./errors.js";
import { type Removed, endEnrollments } from "./remove.js";

/**
 * Removes one customer from a journey: their in-flight enrollment(s) in it end (one per staff
 * member; a staff token's only its own), unsent steps are skipped (`removed`), open tasks skipped,
 * and the removal is audited with the operator's reason. NOT_FOUND (nothing changed) when they are
 * not in it.
 */
export async function removeFromJourney(
  db: Database,
  a: { workspaceId: string; customerId: string; journeyKey: string; staffId?: string | null; reason?: string | null; actor: Actor; now: Date },
): Promise<Removed & { stages: string[] }> {
  return db.sql.transaction(async (tx) => {
    const rows = await tx.query<{ id: string; stage: string; staff_id: string | null; journey_version: number }>(
      `SELECT id, stage, staff_id, journey_version FROM enrollments WHERE workspace_id = $1 AND customer_id = $2 AND journey_key = $3 AND ended_at IS NULL
         AND ($4::text IS NULL OR staff_id = $4 OR staff_id IS NULL) ORDER BY id FOR UPDATE`,
      [a.workspaceId, a.customerId, a.journeyKey, a.staffId ?? null],
    );
    if (rows.length === 0) throw new LiveSopError("NOT_FOUND", `customer "${a.customerId}" is not in journey "${a.journeyKey}"`);
    const removed = await endEnrollments(tx, { workspaceId: a.workspaceId, enrollmentIds: rows.map((r) => r.id), now: a.now });
    await writeAudit(tx, {
      workspaceId: a.workspaceId,
      actor: a.actor,
      action: "enrollment.remove",
      target: `customer:${a.customerId}/journey:${a.journeyKey}`,
      before: { enrollments: rows.map((r) => ({ id: r.id, stage: r.stage, staffId: r.staff_id, version: r.journey_version })) },
      after: { ended: removed.enrollments, cancelledSteps: removed.cancelledSteps, cancelledTasks: removed.cancelledTasks.length, ...(a.reason ? { reason: a.reason } : {}) },
      at: a.now,
    });
    return { ...removed, stages: rows.map((r) => r.stage) };
  });
}
