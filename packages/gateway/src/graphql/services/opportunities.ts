import type { Database } from "../../db/index.js";
import { escalationHours } from "../../opportunities/escalation.js";
import type { OpportunityKind } from "../../opportunities/signals.js";
import type { OpportunityShape } from "../types/board.js";
import { DEFAULT_TIMEZONE, type WorkspaceSettings } from "../types/workspace.js";
import { OPPORTUNITY_COLUMNS, type OpportunityRow, toOpportunity } from "./board.js";

/** The most opportunities one `opportunities` query returns. */
export const OPPORTUNITIES_MAX = 1_000;

/**
 * Today's open opportunities (in the workspace's zone, as on the board), best first: of one staff
 * member's customers, or of the whole workspace without `staffId`; of one kind or both.
 */
export async function loadOpportunities(
  db: Database,
  args: { workspaceId: string; staffId: string | null; kind: OpportunityKind | null; now: Date; limit: number },
): Promise<OpportunityShape[]> {
  const [ws] = await db.sql.query<{ settings: WorkspaceSettings; timezone: string | null }>(
    `SELECT w.settings, (SELECT definition->>'timezone' FROM journeys WHERE workspace_id = w.id AND active ORDER BY key, version DESC LIMIT 1) AS timezone
     FROM workspaces w WHERE w.id = $1`,
    [args.workspaceId],
  );
  const settings = ws?.settings ?? {};
  const timezone = settings.timezone ?? ws?.timezone ?? DEFAULT_TIMEZONE;
  const rows = await db.sql.query<OpportunityRow>(
    `SELECT ${OPPORTUNITY_COLUMNS} FROM opportunities o
     WHERE o.workspace_id = $1 AND o.answered_at IS NULL
       AND o.last_signal_at >= (date_trunc('day', $2::timestamptz AT TIME ZONE $3) AT TIME ZONE $3)
       AND ($4::text IS NULL OR o.staff_id = $4) AND ($5::text IS NULL OR o.kind = $5)
     ORDER BY o.intent DESC, o.first_signal_at, o.id LIMIT $6`,
    [args.workspaceId, args.now, timezone, args.staffId, args.kind, args.limit],
  );
  const hours = escalationHours(settings);
  return rows.map((r) => toOpportunity(r, args.now, hours));
}
