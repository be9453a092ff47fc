import type { SqlRunner } from "../db/sql.js";
import { dayOf, weekOf } from "./constants.js";

/** What a sync changed: the customers and (China-time) days whose touches are new or different. */
export interface TouchChanges {
  customers: string[];
  days: string[];
}

/**
 * Copies the workspace's sent and failed deliveries (a completed chat or call task's delivery is
 * 'sent' at its completion) due at or after `since` (all of them without)
 * into metric_touches, with the staff member and entry-week cohort of their enrollment. A touch
 * already copied is rewritten only if its outcome or time changed (a 群发 confirmed, a retry that
 * went out). Returns what changed, for the days and customers to recompute.
 */
export async function syncTouches(sql: SqlRunner, workspaceId: string, since: Date | null, until: Date, options: { changes?: boolean } = {}): Promise<TouchChanges> {
  const changes = options.changes ?? true;
  const rows = await sql.query<{ customer_id: string; day: string }>(
    `INSERT INTO metric_touches AS t (delivery_key, workspace_id, customer_id, at, day, journey_key, stage, step_id, content, channel, staff_id, cohort_week, outcome)
     SELECT d.key, d.workspace_id, d.customer_id, x.at, ${dayOf("x.at")}, d.journey_key, d.stage, d.step_id, COALESCE(d.content, ''), d.channel,
            COALESCE(en.staff_id, ''), ${weekOf("COALESCE(en.created_at, x.at)")},
            CASE WHEN d.status = 'failed' THEN 'failed' WHEN d.mode = 'mass_send' THEN 'mass' ELSE 'sent' END
     FROM deliveries d
     LEFT JOIN enrollments en ON en.id = d.enrollment_id
     CROSS JOIN LATERAL (SELECT COALESCE(d.sent_at, d.due_at) AS at) x
     WHERE d.workspace_id = $1 AND d.status IN ('sent', 'failed')
       AND ($2::timestamptz IS NULL OR d.due_at >= $2) AND d.due_at <= $3
     ON CONFLICT (delivery_key) DO UPDATE SET at = excluded.at, day = excluded.day, outcome = excluded.outcome
       WHERE t.outcome IS DISTINCT FROM excluded.outcome OR t.at IS DISTINCT FROM excluded.at
     ${changes ? "RETURNING t.customer_id, to_char(t.day, 'YYYY-MM-DD') AS day" : ""}`,
    [workspaceId, since, until],
  );
  return { customers: [...new Set(rows.map((r) => r.customer_id))], days: [...new Set(rows.map((r) => r.day))] };
}
