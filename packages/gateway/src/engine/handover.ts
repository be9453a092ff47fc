import type { Database } from "../db/index.js";
import type { TaskPayload } from "../live/pubsub.js";
import { type AdvancedEnrollment, ENROLLMENT_COLUMNS, type EnrollmentRow } from "./enrollment-row.js";
import type { JourneyRegistry } from "./journey-registry.js";
import { type Notices, persistAdvances } from "./persist-advances.js";

export interface HandoverResult {
  enrollments: number;
  movedTasks: TaskPayload[];
}

/**
 * Hands a customer to another staff member: the journeys keep their state (nothing restarts or
 * repeats), later task steps go to the new owner, and open tasks move with the customer.
 * Publishes nothing itself; `movedTasks` lists "removed" notices for the old owner's feed and
 * "created" ones for the new owner's.
 */
export async function handoverCustomer(
  db: Database,
  registry: JourneyRegistry,
  args: { workspaceId: string; customerId: string; toStaffId: string; by?: string; at: Date; reason?: string },
  notices: Notices,
): Promise<HandoverResult> {
  return db.sql.transaction(async (tx) => {
    const [customer] = await tx.query<{ staff_id: string | null }>(`SELECT staff_id FROM customers WHERE id = $1 AND workspace_id = $2 FOR UPDATE`, [args.customerId, args.workspaceId]);
    if (!customer) throw Object.assign(new Error(`customer ${args.customerId} not found`), { code: "NOT_FOUND" });
    const [staff] = await tx.query<{ id: string }>(`SELECT id FROM staff WHERE id = $1 AND workspace_id = $2 AND active`, [args.toStaffId, args.workspaceId]);
    if (!staff) throw Object.assign(new Error(`staff member ${args.toStaffId} not found or inactive in this workspace`), { code: "NOT_FOUND" });
    const from = customer.staff_id;
    await tx.execute(`UPDATE customers SET staff_id = $2 WHERE id = $1`, [args.customerId, args.toStaffId]);
    await tx.execute(
      `INSERT INTO assignment_history (workspace_id, customer_id, from_staff_id, to_staff_id, at, reason) VALUES ($1, $2, $3, $4, $5, $6)`,
      [args.workspaceId, args.customerId, from, args.toStaffId, args.at, args.reason ?? "handover"],
    );
    // Enrollments owned by the old staff member (or by nobody) follow the customer.
    const rows = await tx.query<EnrollmentRow>(
      `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments WHERE workspace_id = $1 AND customer_id = $2 AND ended_at IS NULL AND (staff_id IS NOT DISTINCT FROM $3 OR staff_id IS NULL) FOR UPDATE`,
      [args.workspaceId, args.customerId, from],
    );
    await registry.load(tx, rows.map((r) => ({ workspaceId: r.workspace_id, key: r.journey_key, version: r.journey_version })));
    const items: AdvancedEnrollment[] = rows.map((row) => {
      const journey = registry.get(row.workspace_id, row.journey_key, row.journey_version);
      const { state, effects } = journey.advance(row.state, { type: "assign", assignee: args.toStaffId, at: args.at, ...(args.by ? { by: args.by } : {}) });
      return { row, state, effects, journey };
    });
    await persistAdvances(tx, items, notices);
    if (rows.length > 0) {
      await tx.execute(`UPDATE enrollments SET staff_id = $2, owner_key = $2 WHERE id = ANY($1::text[])`, [rows.map((r) => r.id), args.toStaffId]);
    }
    const moved = await tx.query<{ id: string; seq: string; staff_id: string; kind: string; channel: string | null; content: string | null; title: string; due_at: Date; delivery_key: string | null }>(
      `UPDATE tasks SET staff_id = $3 WHERE workspace_id = $1 AND customer_id = $2 AND status IN ('open', 'snoozed') AND staff_id IS DISTINCT FROM $3
       RETURNING id, seq::text AS seq, staff_id, kind, channel, content, title, due_at, delivery_key`,
      [args.workspaceId, args.customerId, args.toStaffId],
    );
    const movedTasks: TaskPayload[] = [];
    for (const t of moved) {
      const base = { id: t.id, seq: t.seq, workspaceId: args.workspaceId, customerId: args.customerId, kind: t.kind, channel: t.channel, content: t.content, title: t.title, dueAt: new Date(t.due_at).toISOString(), deliveryKey: t.delivery_key };
      if (from) movedTasks.push({ ...base, staffId: from, change: "removed" });
      movedTasks.push({ ...base, staffId: args.toStaffId, change: "created" });
    }
    return { enrollments: rows.length, movedTasks };
  });
}
