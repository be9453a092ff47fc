import type { JourneyDefinition } from "@sopline/core";
import type { Database, Staff } from "../../db/index.js";
import { escalationHours } from "../../opportunities/escalation.js";
import type { OpportunityKind } from "../../opportunities/signals.js";
import type { BoardJourneyShape, BoardShape, OpportunityShape, StaffOpportunitiesShape } from "../types/board.js";
import { DEFAULT_TIMEZONE, type WorkspaceSettings } from "../types/workspace.js";
import { dropZeroBoardCounts, readBoardCounts, rebuildBoardCounts } from "./board-counts.js";
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

/**
 * The most customers one opportunity list of the board shows (the `opportunities` query has the
 * rest): a glance at each member's best leads. At 20, 100 staff × 2 lists made the workspace's
 * board ~4,000 rows, past its 50 ms budget (bench:board).
 */
export const BOARD_LIST_MAX = 10;

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
 * Reads a workspace's board in six small statements (three round trips) whatever the number of
 * customers, tasks and opportunities: the newest active definitions (with the zone the counts are
 * kept in); then at once the maintained stage counts (stage-counts.ts), the staff, and the
 * maintained task and opportunity counts (board-counts.ts); then at once the heads of the lists
 * that have something today and the leads' escalations. With `staffId` (a staff token) only that
 * member's counts and lists (and, for a lead, their team's overdue opportunities) are read: the
 * snapshot is then only good for that member's view.
 */
export async function loadBoardSnapshot(db: Database, args: { workspaceId: string; now: Date; staffId?: string | null }): Promise<BoardSnapshot> {
  const { workspaceId, now } = args;
  const only = args.staffId ?? null;
  const journeys = await db.sql.query<{ key: string; version: number; definition: JourneyDefinition; settings: WorkspaceSettings; counted_zone: string | null }>(
    `SELECT j.key, j.version, j.definition, w.settings, z.timezone AS counted_zone FROM workspaces w
     LEFT JOIN board_count_zones z ON z.workspace_id = w.id
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
  // First read of the workspace, or its zone changed: count it (anew) in this zone.
  if (journeys.length > 0 && journeys[0]!.counted_zone !== timezone) await rebuildBoardCounts(db.sql, workspaceId, timezone);

  // Independent reads in parallel (on as many pooled connections): the stage counts, the staff, and
  // the task / opportunity counts (a staff token's: their own and their team's, for escalations).
  const [counts, staff, read] = await Promise.all([
    readStageCounts(db.sql, workspaceId),
    db.sql.query<Staff>(
      `SELECT s.id, s.workspace_id AS "workspaceId", s.external_id AS "externalId", s.name, s.team, s.active, s.lead_id AS "leadId",
         s.tokens_valid_after AS "tokensValidAfter"
       FROM staff s WHERE s.workspace_id = $1 ORDER BY s.name, s.id`,
      [workspaceId],
    ),
    readBoardCounts(db.sql, { workspaceId, now, timezone, staffId: only }),
  ]);
  if (read.zeroRows > ZERO_ROWS_KEPT) await dropZeroBoardCounts(db.sql, workspaceId);
  const byStaff = new Map(read.rows.map((r) => [r.staff_id, r]));

  const tasks: SopTaskRow[] = [];
  const lists = new Map<string, StaffLists>();
  const heads: { holder: string; kind: OpportunityKind }[] = [];
  const escalations: { holder: string; member: string; kind: OpportunityKind }[] = [];
  for (const s of staff) {
    const c = byStaff.get(s.id);
    if (c && (c.chat || c.call || c.overdue_chat || c.overdue_call)) tasks.push(c);
    lists.set(s.id, { chat: [], call: [], escalated: [], chatCount: c?.chat_opps ?? 0, callCount: c?.call_opps ?? 0 });
    if (only !== null && s.id !== only && s.leadId !== only) continue;
    // Only the lists that have something today: an index range each.
    for (const kind of ["chat", "call"] as const) {
      if (!(kind === "chat" ? c?.chat_opps : c?.call_opps)) continue;
      if (only === null || s.id === only) heads.push({ holder: s.id, kind });
      if (s.leadId !== null && (only === null || s.leadId === only)) escalations.push({ holder: s.leadId, member: s.id, kind });
    }
  }
  const hours = escalationHours(settings);
  if (hours <= 0) escalations.length = 0;
  // Each list's head is the first BOARD_LIST_MAX entries of one opportunities_list_idx range; a
  // lead's escalations the best BOARD_LIST_MAX of their members' overdue heads. Two statements on
  // two pooled connections (the database reads both at once). Times come as epoch milliseconds:
  // parsing thousands of timestamps took longer than reading them.
  const DAY_START = `(date_trunc('day', $2::timestamptz AT TIME ZONE $3) AT TIME ZONE $3)`;
  const [headRows, escalatedRows] = await Promise.all([
    heads.length === 0 ? [] : db.sql.query<ListRow>(
      `SELECT h.holder, h.kind AS list, ${LIST_COLUMNS} FROM unnest($4::text[], $5::text[]) h(holder, kind)
       CROSS JOIN LATERAL (
         SELECT ${OPPORTUNITY_COLUMNS} FROM opportunities o
         WHERE o.staff_id = h.holder AND o.kind = h.kind AND o.answered_at IS NULL AND o.last_signal_at >= ${DAY_START}
         ORDER BY o.intent DESC, o.first_signal_at, o.id LIMIT $1
       ) o`,
      [BOARD_LIST_MAX, now, timezone, heads.map((h) => h.holder), heads.map((h) => h.kind)],
    ),
    escalations.length === 0 ? [] : db.sql.query<ListRow>(
      `SELECT o.holder, 'escalated' AS list, ${LIST_COLUMNS} FROM (
         SELECT e.holder, o.*, row_number() OVER (PARTITION BY e.holder ORDER BY o.intent DESC, o.first_signal_at, o.id) AS rank
         FROM unnest($4::text[], $5::text[], $6::text[]) e(holder, member, kind)
         CROSS JOIN LATERAL (
           SELECT ${OPPORTUNITY_COLUMNS} FROM opportunities o
           WHERE o.staff_id = e.member AND o.kind = e.kind AND o.answered_at IS NULL AND o.last_signal_at >= ${DAY_START}
             AND o.first_signal_at <= $2::timestamptz - make_interval(secs => 3600 * $7::float8)
           ORDER BY o.intent DESC, o.first_signal_at, o.id LIMIT $1
         ) o
       ) o WHERE rank <= $1`,
      [BOARD_LIST_MAX, now, timezone, escalations.map((e) => e.holder), escalations.map((e) => e.member), escalations.map((e) => e.kind), hours],
    ),
  ]);
  for (const { holder, list, first_ms, last_ms, ...row } of [...headRows, ...escalatedRows]) {
    lists.get(holder)?.[list].push(toOpportunity({ ...row, first_signal_at: new Date(first_ms), last_signal_at: new Date(last_ms) }, now, hours));
  }
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

/** Counter rows at zero kept before a read drops them (a DELETE of its own; cheap, so not every read). */
const ZERO_ROWS_KEPT = 200;

/** Columns of an opportunity row as OpportunityRow reads them (table alias o). */
export const OPPORTUNITY_COLUMNS = `o.id, o.kind, o.customer_id, o.customer_name, o.staff_id, o.intent, o.signal, o.content, o.signals, o.first_signal_at, o.last_signal_at`;

/** An opportunity of a list as the board reads it (table alias o): times in epoch ms. */
const LIST_COLUMNS = `o.id, o.kind, o.customer_id, o.customer_name, o.staff_id, o.intent, o.signal, o.content, o.signals,
  (extract(epoch FROM o.first_signal_at) * 1000)::float8 AS first_ms, (extract(epoch FROM o.last_signal_at) * 1000)::float8 AS last_ms`;
type ListRow = Omit<OpportunityRow, "first_signal_at" | "last_signal_at"> & { holder: string; list: "chat" | "call" | "escalated"; first_ms: number; last_ms: number };

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
  return viewBoard(await loadBoardSnapshot(db, { workspaceId: args.workspaceId, now: args.now, staffId: args.staffId }), args);
}
