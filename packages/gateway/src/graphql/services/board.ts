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

/** The most customers one opportunity list of the board shows (the `opportunities` query has the rest). */
export const BOARD_LIST_MAX = 20;

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
  /** Per staff member: the heads of today's lists (best first: intent, then longest waiting), their lengths, and for a lead their team's overdue ones. */
  lists: Map<string, StaffLists>;
}

export interface StaffLists {
  chat: OpportunityShape[];
  call: OpportunityShape[];
  escalated: OpportunityShape[];
  chatCount: number;
  callCount: number;
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
  const staffRows = await db.sql.query<Staff & Omit<SopTaskRow, "staff_id"> & { chat_opps: number; call_opps: number }>(
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
     ), opps AS (
       SELECT o.staff_id, (count(*) FILTER (WHERE o.kind = 'chat'))::int AS chat_opps, (count(*) FILTER (WHERE o.kind = 'call'))::int AS call_opps
       FROM opportunities o, day WHERE o.workspace_id = $1 AND o.answered_at IS NULL AND o.last_signal_at >= day.start GROUP BY o.staff_id
     )
     SELECT s.id, s.workspace_id AS "workspaceId", s.external_id AS "externalId", s.name, s.team, s.active, s.lead_id AS "leadId",
       s.tokens_valid_after AS "tokensValidAfter", p.chat, p.call, p.overdue_chat, p.overdue_call,
       COALESCE(q.chat_opps, 0) AS chat_opps, COALESCE(q.call_opps, 0) AS call_opps
     FROM staff s LEFT JOIN per_staff p ON p.staff_id = s.id LEFT JOIN opps q ON q.staff_id = s.id
     WHERE s.workspace_id = $1 ORDER BY s.name, s.id`,
    [workspaceId, now, timezone],
  );
  const staff: Staff[] = [];
  const tasks: SopTaskRow[] = [];
  const lists = new Map<string, StaffLists>();
  for (const { chat, call, overdue_chat, overdue_call, chat_opps, call_opps, ...s } of staffRows) {
    staff.push(s);
    if (chat !== null) tasks.push({ staff_id: s.id, chat, call, overdue_chat, overdue_call });
    lists.set(s.id, { chat: [], call: [], escalated: [], chatCount: chat_opps, callCount: call_opps });
  }
  const hours = escalationHours(settings);
  // The head of each staff member's two lists (an index range each), and for each lead the
  // overdue ones of their team: bounded by staff × BOARD_LIST_MAX whatever today's volume.
  const heads = await db.sql.query<OpportunityRow & { list: "chat" | "call" | "escalated"; holder: string }>(
    `WITH day AS (SELECT (date_trunc('day', $2::timestamptz AT TIME ZONE $3) AT TIME ZONE $3) AS start),
     members AS (SELECT id, lead_id FROM staff WHERE workspace_id = $1)
     SELECT m.id AS holder, k.kind AS list, o.* FROM members m CROSS JOIN (VALUES ('chat'), ('call')) k(kind) CROSS JOIN day
     CROSS JOIN LATERAL (
       SELECT ${OPPORTUNITY_COLUMNS} FROM opportunities o
       WHERE o.staff_id = m.id AND o.kind = k.kind AND o.answered_at IS NULL AND o.last_signal_at >= day.start
       ORDER BY o.intent DESC, o.first_signal_at, o.id LIMIT $4
     ) o
     UNION ALL
     SELECT l.id, 'escalated', o.* FROM (SELECT DISTINCT lead_id AS id FROM members WHERE lead_id IS NOT NULL) l CROSS JOIN day
     CROSS JOIN LATERAL (
       SELECT ${OPPORTUNITY_COLUMNS} FROM members t JOIN opportunities o ON o.staff_id = t.id AND o.answered_at IS NULL
       WHERE t.lead_id = l.id AND o.last_signal_at >= day.start AND $5::float8 > 0 AND o.first_signal_at <= $2::timestamptz - make_interval(secs => 3600 * $5::float8)
       ORDER BY o.intent DESC, o.first_signal_at, o.id LIMIT $4
     ) o`,
    [workspaceId, now, timezone, BOARD_LIST_MAX, escalationHours(settings)],
  );
  for (const { list, holder, ...row } of heads) lists.get(holder)?.[list].push(toOpportunity(row, now, hours));
  for (const l of lists.values()) for (const xs of [l.chat, l.call, l.escalated]) xs.sort(byRank);
  return {
    now,
    timezone,
    date: localDate(now, timezone),
    escalationHours: hours,
    journeys: defs,
    counts,
    staff,
    sopTasks: new Map(tasks.map((t) => [t.staff_id, t])),
    lists,
  };
}

/** Columns of an opportunity row as OpportunityRow reads them (table alias o). */
export const OPPORTUNITY_COLUMNS = `o.id, o.kind, o.customer_id, o.customer_name, o.staff_id, o.intent, o.signal, o.content, o.signals, o.first_signal_at, o.last_signal_at`;

/** Best first: intent, then the longest waiting, then id (the order of the SQL). */
const byRank = (a: OpportunityShape, b: OpportunityShape) =>
  b.intent - a.intent || a.waitingSince.getTime() - b.waitingSince.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

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

  const staff: StaffOpportunitiesShape[] = [];
  for (const s of snapshot.staff) {
    if (staffId !== null && s.id !== staffId) continue;
    const tasks = snapshot.sopTasks.get(s.id);
    const l = snapshot.lists.get(s.id);
    if (staffId === null && !s.active && !tasks && !l?.chatCount && !l?.callCount) continue;
    const sopTasks = { chat: tasks?.chat ?? 0, call: tasks?.call ?? 0, overdueChat: tasks?.overdue_chat ?? 0, overdueCall: tasks?.overdue_call ?? 0 };
    staff.push({
      staff: s,
      ...sopTasks,
      sopTasks,
      chatOpportunities: l?.chat ?? [],
      callOpportunities: l?.call ?? [],
      chatOpportunityCount: l?.chatCount ?? 0,
      callOpportunityCount: l?.callCount ?? 0,
      escalated: l?.escalated ?? [],
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
