import type { JourneyDefinition } from "@sopline/core";
import type { Database, Staff } from "../../db/index.js";
import { escalationHours } from "../../opportunities/escalation.js";
import type { OpportunityKind } from "../../opportunities/signals.js";
import type { BoardJourneyShape, BoardShape, OpportunityShape, StaffOpportunitiesShape } from "../types/board.js";
import { DEFAULT_TIMEZONE, type WorkspaceSettings } from "../types/workspace.js";
import { readStageCounts, type StageCountRow } from "./stage-counts.js";

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

/** The most customers one opportunity list of the board shows (the `opportunities` query pages the rest). */
export const BOARD_LIST_MAX = 100;

interface SopTaskRow {
  staff_id: string;
  chat: number;
  call: number;
  overdue_chat: number;
  overdue_call: number;
}

/**
 * Everything a workspace's board shows, for every staff member at once: read once and cut into
 * each watcher's view (viewBoard) — the live board recomputes this at most once a second per
 * workspace however many consoles watch.
 */
export interface BoardSnapshot {
  now: Date;
  timezone: string;
  date: string;
  escalationHours: number;
  journeys: Array<{ key: string; version: number; definition: JourneyDefinition }>;
  counts: StageCountRow[];
  staff: Staff[];
  sopTasks: Map<string, SopTaskRow>;
  /** Today's open opportunities, best first (intent, then longest waiting). */
  opportunities: OpportunityShape[];
}

/**
 * Reads a workspace's board in five small statements whatever the number of customers: the newest
 * active definitions, the maintained stage counts (stage-counts.ts: no GROUP BY over enrollments),
 * the staff, open chat / call SOP tasks per staff member for "today" in the workspace's zone, and
 * today's open opportunities.
 */
export async function loadBoardSnapshot(db: Database, args: { workspaceId: string; now: Date }): Promise<BoardSnapshot> {
  const { workspaceId, now } = args;
  const journeys = await db.sql.query<{ key: string; version: number; definition: JourneyDefinition; settings: WorkspaceSettings }>(
    `SELECT j.key, j.version, j.definition, w.settings FROM workspaces w
     LEFT JOIN LATERAL (
       SELECT DISTINCT ON (key) key, version, definition FROM journeys
       WHERE workspace_id = w.id AND active ORDER BY key, version DESC
     ) j ON true
     WHERE w.id = $1`,
    [workspaceId],
  );
  const settings = journeys[0]?.settings ?? {};
  const defs = journeys.filter((j) => j.key !== null);
  const timezone = settings.timezone ?? defs[0]?.definition.timezone ?? DEFAULT_TIMEZONE;

  const counts = await readStageCounts(db.sql, workspaceId);
  // Staff with their open SOP chat / call tasks; a snoozed task counts on the day it wakes up;
  // "today" is computed by PostgreSQL in the zone.
  const staffRows = await db.sql.query<Staff & Omit<SopTaskRow, "staff_id">>(
    `WITH day AS (
       SELECT (date_trunc('day', $2::timestamptz AT TIME ZONE $3) AT TIME ZONE $3) AS start,
              ((date_trunc('day', $2::timestamptz AT TIME ZONE $3) + interval '1 day') AT TIME ZONE $3) AS stop
     ), open AS (
       SELECT t.staff_id, t.kind, CASE WHEN t.status = 'snoozed' THEN COALESCE(t.snoozed_until, t.due_at) ELSE t.due_at END AS due
       FROM tasks t, day
       WHERE t.workspace_id = $1 AND t.status IN ('open', 'snoozed') AND t.kind IN ('chat', 'call') AND t.due_at < day.stop
     ), per_staff AS (
       SELECT o.staff_id,
         (count(*) FILTER (WHERE o.kind = 'chat' AND o.due >= day.start AND o.due < day.stop))::int AS chat,
         (count(*) FILTER (WHERE o.kind = 'call' AND o.due >= day.start AND o.due < day.stop))::int AS call,
         (count(*) FILTER (WHERE o.kind = 'chat' AND o.due < day.start))::int AS overdue_chat,
         (count(*) FILTER (WHERE o.kind = 'call' AND o.due < day.start))::int AS overdue_call
       FROM open o CROSS JOIN day GROUP BY o.staff_id
     )
     SELECT s.id, s.workspace_id AS "workspaceId", s.external_id AS "externalId", s.name, s.team, s.active, s.lead_id AS "leadId",
       s.tokens_valid_after AS "tokensValidAfter", p.chat, p.call, p.overdue_chat, p.overdue_call
     FROM staff s LEFT JOIN per_staff p ON p.staff_id = s.id
     WHERE s.workspace_id = $1 ORDER BY s.name, s.id`,
    [workspaceId, now, timezone],
  );
  const staff: Staff[] = [];
  const tasks: SopTaskRow[] = [];
  for (const { chat, call, overdue_chat, overdue_call, ...s } of staffRows) {
    staff.push(s);
    if (chat !== null) tasks.push({ staff_id: s.id, chat, call, overdue_chat, overdue_call });
  }
  const hours = escalationHours(settings);
  const opportunities = await db.sql.query<OpportunityRow>(
    `SELECT o.id, o.kind, o.customer_id, COALESCE(c.name, c.external_id) AS customer_name, c.staff_id, o.intent, o.signal, o.content, o.signals,
       o.first_signal_at, o.last_signal_at, o.escalated_at
     FROM opportunities o JOIN customers c ON c.id = o.customer_id
     WHERE o.workspace_id = $1 AND o.answered_at IS NULL
       AND o.last_signal_at >= (date_trunc('day', $2::timestamptz AT TIME ZONE $3) AT TIME ZONE $3)
     ORDER BY o.intent DESC, o.first_signal_at, o.id`,
    [workspaceId, now, timezone],
  );
  return {
    now,
    timezone,
    date: localDate(now, timezone),
    escalationHours: hours,
    journeys: defs,
    counts,
    staff,
    sopTasks: new Map(tasks.map((t) => [t.staff_id, t])),
    opportunities: opportunities.map((o) => toOpportunity(o, now, hours)),
  };
}

export interface OpportunityRow {
  id: string;
  kind: OpportunityKind;
  customer_id: string;
  customer_name: string;
  staff_id: string | null;
  intent: number;
  signal: string;
  content: string | null;
  signals: number;
  first_signal_at: Date;
  last_signal_at: Date;
  escalated_at: Date | null;
}

export function toOpportunity(o: OpportunityRow, now: Date, hours: number): OpportunityShape {
  const waitingMs = Math.max(0, now.getTime() - new Date(o.first_signal_at).getTime());
  return {
    id: o.id,
    kind: o.kind,
    customerId: o.customer_id,
    customerName: o.customer_name,
    staffId: o.staff_id,
    intent: o.intent,
    signal: o.signal,
    content: o.content,
    signals: o.signals,
    waitingSince: new Date(o.first_signal_at),
    lastSignalAt: new Date(o.last_signal_at),
    waitingMinutes: Math.floor(waitingMs / 60_000),
    overdue: hours > 0 && waitingMs >= hours * 3_600_000,
  };
}

/**
 * One caller's board from a snapshot: all of it for an API key; for a staff token (`staffId`) only
 * their customers' counts (the enrollments they own or nobody owns, as `enrollmentScope` shows
 * them), their own lists, and — for a team lead — the overdue opportunities of their team.
 */
export function viewBoard(snapshot: BoardSnapshot, args: { journeyKey?: string | null; staffId?: string | null }): BoardShape {
  const journeyKey = args.journeyKey ?? null;
  const staffId = args.staffId ?? null;
  const byJourney = new Map<string, BoardJourneyShape>();
  for (const j of snapshot.journeys) {
    if (journeyKey !== null && j.key !== journeyKey) continue;
    byJourney.set(j.key, {
      key: j.key,
      version: j.version,
      name: j.definition.name ?? null,
      customers: 0,
      stages: j.definition.stages.map((s) => ({ id: s.id, name: s.name ?? null, kind: s.kind ?? null, customers: 0 })),
    });
  }
  for (const c of snapshot.counts) {
    if (journeyKey !== null && c.journey_key !== journeyKey) continue;
    if (staffId !== null && !(c.customer_staff === staffId && (c.owner_key === staffId || c.owner_key === ""))) continue;
    let journey = byJourney.get(c.journey_key);
    if (!journey) byJourney.set(c.journey_key, (journey = { key: c.journey_key, version: null, name: null, customers: 0, stages: [] }));
    journey.customers += c.n;
    let stage = journey.stages.find((s) => s.id === c.stage);
    // a stage only older versions have: still shown, after the current ones
    if (!stage) journey.stages.push((stage = { id: c.stage, name: null, kind: null, customers: 0 }));
    stage.customers += c.n;
  }

  const leadOf = new Map(snapshot.staff.map((s) => [s.id, s.leadId]));
  const lists = new Map<string, { chat: OpportunityShape[]; call: OpportunityShape[]; escalated: OpportunityShape[] }>();
  const listOf = (id: string) => {
    let l = lists.get(id);
    if (!l) lists.set(id, (l = { chat: [], call: [], escalated: [] }));
    return l;
  };
  for (const o of snapshot.opportunities) {
    if (o.staffId === null) continue;
    listOf(o.staffId)[o.kind].push(o);
    const lead = leadOf.get(o.staffId);
    if (o.overdue && lead) listOf(lead).escalated.push(o);
  }
  const staff: StaffOpportunitiesShape[] = [];
  for (const s of snapshot.staff) {
    if (staffId !== null && s.id !== staffId) continue;
    const tasks = snapshot.sopTasks.get(s.id);
    const l = lists.get(s.id);
    if (staffId === null && !s.active && !tasks && !l) continue;
    const sopTasks = { chat: tasks?.chat ?? 0, call: tasks?.call ?? 0, overdueChat: tasks?.overdue_chat ?? 0, overdueCall: tasks?.overdue_call ?? 0 };
    staff.push({
      staff: s,
      ...sopTasks,
      sopTasks,
      chatOpportunities: (l?.chat ?? []).slice(0, BOARD_LIST_MAX),
      callOpportunities: (l?.call ?? []).slice(0, BOARD_LIST_MAX),
      chatOpportunityCount: l?.chat.length ?? 0,
      callOpportunityCount: l?.call.length ?? 0,
      escalated: (l?.escalated ?? []).slice(0, BOARD_LIST_MAX),
    });
  }
  return {
    date: snapshot.date,
    timezone: snapshot.timezone,
    journeys: [...byJourney.values()].sort((a, b) => a.key.localeCompare(b.key)),
    staff,
  };
}

/**
 * The board for one caller (see viewBoard). With `staffId` (a staff token) it counts only that
 * staff member's customers, tasks and opportunities.
 */
export async function loadBoard(
  db: Database,
  args: { workspaceId: string; journeyKey?: string | null; staffId?: string | null; now: Date },
): Promise<BoardShape> {
  return viewBoard(await loadBoardSnapshot(db, args), args);
}
