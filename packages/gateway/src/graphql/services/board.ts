import type { JourneyDefinition } from "@sopline/core";
import type { Database, Staff } from "../../db/index.js";
import type { BoardJourneyShape, BoardShape } from "../types/board.js";
import { DEFAULT_TIMEZONE, type WorkspaceSettings } from "../types/workspace.js";

/** "YYYY-MM-DD" of `now` in `timezone`. */
export function localDate(now: Date, timezone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The board in three statements whatever the number of customers, tasks or staff: the newest
 * active definitions (stage names and order), one GROUP BY over enrollments, and one GROUP BY of
 * open chat / call tasks per staff member for "today" in the workspace's zone. With `staffId`
 * (a staff token) both count only that staff member's customers and tasks (and of their customers
 * only the enrollments they own or nobody owns, as `enrollmentScope` shows them).
 */
export async function loadBoard(
  db: Database,
  args: { workspaceId: string; journeyKey?: string | null; staffId?: string | null; now: Date },
): Promise<BoardShape> {
  const { workspaceId, now } = args;
  const journeyKey = args.journeyKey ?? null;
  const staffId = args.staffId ?? null;
  const journeys = await db.sql.query<{ key: string; version: number; definition: JourneyDefinition; settings: WorkspaceSettings }>(
    `SELECT j.key, j.version, j.definition, w.settings FROM workspaces w
     LEFT JOIN LATERAL (
       SELECT DISTINCT ON (key) key, version, definition FROM journeys
       WHERE workspace_id = w.id AND active AND ($2::text IS NULL OR key = $2) ORDER BY key, version DESC
     ) j ON true
     WHERE w.id = $1`,
    [workspaceId, journeyKey],
  );
  const settings = journeys[0]?.settings ?? {};
  const defs = journeys.filter((j) => j.key !== null);
  const timezone = settings.timezone ?? defs[0]?.definition.timezone ?? DEFAULT_TIMEZONE;

  const counts = await db.sql.query<{ journey_key: string; stage: string; n: number }>(
    `SELECT e.journey_key, e.stage, count(*)::int AS n FROM enrollments e
     ${staffId ? "JOIN customers c ON c.id = e.customer_id AND c.staff_id = $3 AND (e.staff_id = $3 OR e.staff_id IS NULL)" : ""}
     WHERE e.workspace_id = $1 AND e.ended_at IS NULL AND ($2::text IS NULL OR e.journey_key = $2)
     GROUP BY e.journey_key, e.stage`,
    staffId ? [workspaceId, journeyKey, staffId] : [workspaceId, journeyKey],
  );

  // A snoozed task counts on the day it wakes up; "today" is computed by PostgreSQL in the zone.
  const opportunities = await db.sql.query<Staff & { chat: number; call: number; overdue_chat: number; overdue_call: number }>(
    `WITH day AS (
       SELECT (date_trunc('day', $2::timestamptz AT TIME ZONE $3) AT TIME ZONE $3) AS start,
              ((date_trunc('day', $2::timestamptz AT TIME ZONE $3) + interval '1 day') AT TIME ZONE $3) AS stop
     ), open AS (
       SELECT t.staff_id, t.kind, CASE WHEN t.status = 'snoozed' THEN COALESCE(t.snoozed_until, t.due_at) ELSE t.due_at END AS due
       FROM tasks t, day
       WHERE t.workspace_id = $1 AND t.status IN ('open', 'snoozed') AND t.kind IN ('chat', 'call') AND t.due_at < day.stop
     )
     SELECT s.id, s.workspace_id AS "workspaceId", s.external_id AS "externalId", s.name, s.team, s.active,
       (count(*) FILTER (WHERE o.kind = 'chat' AND o.due >= day.start AND o.due < day.stop))::int AS chat,
       (count(*) FILTER (WHERE o.kind = 'call' AND o.due >= day.start AND o.due < day.stop))::int AS call,
       (count(*) FILTER (WHERE o.kind = 'chat' AND o.due < day.start))::int AS overdue_chat,
       (count(*) FILTER (WHERE o.kind = 'call' AND o.due < day.start))::int AS overdue_call
     FROM staff s CROSS JOIN day LEFT JOIN open o ON o.staff_id = s.id
     WHERE s.workspace_id = $1 AND (s.active OR o.staff_id IS NOT NULL) ${staffId ? "AND s.id = $4" : ""}
     GROUP BY s.id, day.start, day.stop
     ORDER BY s.name, s.id`,
    staffId ? [workspaceId, now, timezone, staffId] : [workspaceId, now, timezone],
  );

  const byJourney = new Map<string, BoardJourneyShape>();
  for (const j of defs) {
    byJourney.set(j.key, {
      key: j.key,
      version: j.version,
      name: j.definition.name ?? null,
      customers: 0,
      stages: j.definition.stages.map((s) => ({ id: s.id, name: s.name ?? null, kind: s.kind ?? null, customers: 0 })),
    });
  }
  for (const c of counts) {
    let journey = byJourney.get(c.journey_key);
    if (!journey) byJourney.set(c.journey_key, (journey = { key: c.journey_key, version: null, name: null, customers: 0, stages: [] }));
    journey.customers += c.n;
    let stage = journey.stages.find((s) => s.id === c.stage);
    // a stage only older versions have: still shown, after the current ones
    if (!stage) journey.stages.push((stage = { id: c.stage, name: null, kind: null, customers: 0 }));
    stage.customers += c.n;
  }
  return {
    date: localDate(now, timezone),
    timezone,
    journeys: [...byJourney.values()].sort((a, b) => a.key.localeCompare(b.key)),
    staff: opportunities.map(({ chat, call, overdue_chat, overdue_call, ...staff }) => ({ staff, chat, call, overdueChat: overdue_chat, overdueCall: overdue_call })),
  };
}
