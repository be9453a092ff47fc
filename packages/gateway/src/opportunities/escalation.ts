import type { SqlRunner } from "../db/index.js";
import type { AlertNotice, Notices } from "../engine/persist-advances.js";

/** Hours an opportunity may wait unanswered before it escalates to the staff member's lead (workspace setting `opportunityEscalationHours`). */
export const DEFAULT_ESCALATION_HOURS = 4;

/** Escalation hours from a workspace's settings; 0 turns escalation off. */
export function escalationHours(settings: { opportunityEscalationHours?: number } | null | undefined): number {
  const h = settings?.opportunityEscalationHours;
  return typeof h === "number" && Number.isFinite(h) && h >= 0 ? h : DEFAULT_ESCALATION_HOURS;
}

/** SQL for a workspace's escalation hours, from `w.settings` (the same rule as escalationHours). */
const HOURS_SQL = `COALESCE(CASE WHEN jsonb_typeof(w.settings->'opportunityEscalationHours') = 'number'
  AND (w.settings->>'opportunityEscalationHours')::float8 >= 0 THEN (w.settings->>'opportunityEscalationHours')::float8 END, ${DEFAULT_ESCALATION_HOURS})`;

/**
 * Marks opportunities that have waited longer than their workspace's escalation hours (and whose
 * staff member has a lead) as escalated, once each, and puts an item on the lead's feed. The board
 * shows overdue opportunities to leads by the clock anyway; this is the push. Returns how many.
 */
export async function escalateOverdue(sql: SqlRunner, now: Date, notices: Notices): Promise<number> {
  const rows = await sql.query<{
    id: string; workspace_id: string; customer_id: string; staff_id: string; lead_id: string; signal: string; content: string | null;
    first_signal_at: Date; customer_name: string; staff_name: string;
  }>(
    `WITH due AS (
       SELECT o.id, s.lead_id, s.name AS staff_name FROM opportunities o
       JOIN workspaces w ON w.id = o.workspace_id
       JOIN staff s ON s.id = o.staff_id AND s.lead_id IS NOT NULL
       WHERE o.answered_at IS NULL AND o.escalated_at IS NULL
         AND ${HOURS_SQL} > 0 AND o.first_signal_at <= $1::timestamptz - make_interval(secs => 3600 * ${HOURS_SQL})
       ORDER BY o.id LIMIT 1000 FOR UPDATE OF o SKIP LOCKED
     )
     UPDATE opportunities o SET escalated_at = $1 FROM due, customers c
     WHERE o.id = due.id AND c.id = o.customer_id
     RETURNING o.id, o.workspace_id, o.customer_id, o.staff_id, due.lead_id, o.signal, o.content, o.first_signal_at,
       COALESCE(c.name, c.external_id) AS customer_name, due.staff_name`,
    [now],
  );
  for (const r of rows) {
    const waited = Math.floor((now.getTime() - new Date(r.first_signal_at).getTime()) / 3_600_000);
    const notice: AlertNotice = {
      id: `escalation:${r.id}`,
      seq: "0",
      workspaceId: r.workspace_id,
      staffId: r.lead_id,
      customerId: r.customer_id,
      kind: "alert",
      channel: null,
      content: r.content,
      title: `${r.customer_name} has waited ${waited} h for ${r.staff_name} (${r.signal})`,
      dueAt: now.toISOString(),
      deliveryKey: null,
      alert: { reason: "escalation", event: r.signal, customerName: r.customer_name, contentTitle: null, at: new Date(r.first_signal_at).toISOString(), forStaffId: r.staff_id },
    };
    (notices.alerts ??= []).push(notice);
    notices.boards.add(r.workspace_id);
  }
  return rows.length;
}
