import type { Sql, SqlRunner } from "../../db/index.js";

/**
 * The board's per-staff numbers, read from board_counts (migration 20261206100000_board_counts):
 * open chat / call SOP tasks due today and overdue (a snoozed task on the day it wakes up), and
 * unanswered chat / call opportunities with a signal today. Days are the workspace's local days.
 */
export interface StaffBoardCounts {
  staff_id: string;
  chat: number;
  call: number;
  overdue_chat: number;
  overdue_call: number;
  chat_opps: number;
  call_opps: number;
}

// Advisory lock keys (the first half; the second is the workspace): the fold and the rebuild.
const FOLD_LOCK = 730212;

/** The local date of $now in zone $tz, as SQL over parameters `$now` and `$tz` (the caller numbers them). */
const today = (now: string, tz: string) => `(${now}::timestamptz AT TIME ZONE ${tz})::date`;

/**
 * Counts a workspace in `timezone` from now on: recounts its open tasks and opportunities (two
 * GROUP BYs) and stores the zone, unless it is already counted in that zone. The board calls it when
 * the zone it reads differs from the stored one (the first read, or the workspace's zone changed).
 * Task and opportunity writers wait while it runs (SHARE ROW EXCLUSIVE: their transactions before it
 * are counted by it, those after it by the triggers).
 */
export async function rebuildBoardCounts(sql: Sql, workspaceId: string, timezone: string): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${FOLD_LOCK}, hashtext($1))`, [workspaceId]);
    await tx.execute(`LOCK TABLE tasks, opportunities IN SHARE ROW EXCLUSIVE MODE`);
    const [zone] = await tx.query<{ timezone: string }>(`SELECT timezone FROM board_count_zones WHERE workspace_id = $1`, [workspaceId]);
    if (zone?.timezone === timezone) return; // another read rebuilt it meanwhile
    await tx.execute(
      `INSERT INTO board_count_zones (workspace_id, timezone) VALUES ($1, $2) ON CONFLICT (workspace_id) DO UPDATE SET timezone = EXCLUDED.timezone`,
      [workspaceId, timezone],
    );
    await tx.execute(`DELETE FROM board_count_deltas WHERE workspace_id = $1`, [workspaceId]);
    await tx.execute(`DELETE FROM board_counts WHERE workspace_id = $1`, [workspaceId]);
    await tx.execute(
      `INSERT INTO board_counts (workspace_id, source, day, staff_id, kind, shown_from, n)
       SELECT $1, 'task', d.day, t.staff_id, t.kind, GREATEST(d.day, (t.due_at AT TIME ZONE $2)::date), count(*)
       FROM tasks t CROSS JOIN LATERAL (SELECT ((CASE WHEN t.status = 'snoozed' THEN COALESCE(t.snoozed_until, t.due_at) ELSE t.due_at END) AT TIME ZONE $2)::date AS day) d
       WHERE t.workspace_id = $1 AND t.status IN ('open', 'snoozed') AND t.kind IN ('chat', 'call')
       GROUP BY 1, 2, 3, 4, 5, 6`,
      [workspaceId, timezone],
    );
    await tx.execute(
      `INSERT INTO board_counts (workspace_id, source, day, staff_id, kind, shown_from, n)
       SELECT $1, 'opportunity', (o.last_signal_at AT TIME ZONE $2)::date, COALESCE(o.staff_id, ''), o.kind, (o.last_signal_at AT TIME ZONE $2)::date, count(*)
       FROM opportunities o WHERE o.workspace_id = $1 AND o.answered_at IS NULL
       GROUP BY 1, 2, 3, 4, 5, 6`,
      [workspaceId, timezone],
    );
  });
}

/**
 * A workspace's counts per staff member at `now` (with `staffId`: only that member's and their
 * team's, if they lead one), in one statement
 * that also folds the deltas the triggers appended (as readStageCounts does: every part of the
 * statement sees one snapshot, so counts + deltas are exact folded or not; the fold is skipped when
 * another read holds the lock). Rows read: a few per staff member and day with open tasks, and per
 * staff member and kind for opportunities from today on (the key starts with the day).
 */
export async function readBoardCounts(
  sql: SqlRunner,
  args: { workspaceId: string; now: Date; timezone: string; staffId?: string | null },
): Promise<{ rows: StaffBoardCounts[]; zeroRows: number }> {
  const only = args.staffId ? `AND staff_id IN (SELECT id FROM staff WHERE id = $4 OR lead_id = $4)` : "";
  const rows = await sql.query<StaffBoardCounts & { zero_rows: number }>(
    `WITH lock AS (SELECT pg_try_advisory_xact_lock(${FOLD_LOCK}, hashtext($1)) AS ok),
     gone AS (
       DELETE FROM board_count_deltas WHERE workspace_id = $1 AND (SELECT ok FROM lock)
       RETURNING source, day, staff_id, kind, shown_from, delta
     ),
     folded AS (
       INSERT INTO board_counts (workspace_id, source, day, staff_id, kind, shown_from, n)
       SELECT $1, source, day, staff_id, kind, shown_from, sum(delta) FROM gone
       GROUP BY source, day, staff_id, kind, shown_from ORDER BY 2, 3, 4, 5, 6
       ON CONFLICT (workspace_id, source, day, staff_id, kind, shown_from) DO UPDATE SET n = board_counts.n + EXCLUDED.n
     ),
     t AS (SELECT ${today("$2", "$3")} AS day),
     c AS (
       SELECT source, day, staff_id, kind, shown_from, n FROM board_counts
       WHERE workspace_id = $1 AND (source = 'task' OR day >= (SELECT day FROM t)) ${only}
       UNION ALL
       SELECT source, day, staff_id, kind, shown_from, delta FROM board_count_deltas WHERE workspace_id = $1 ${only}
     )
     SELECT c.staff_id,
       (sum(n) FILTER (WHERE source = 'task' AND kind = 'chat' AND c.day = t.day AND shown_from <= t.day))::int AS chat,
       (sum(n) FILTER (WHERE source = 'task' AND kind = 'call' AND c.day = t.day AND shown_from <= t.day))::int AS call,
       (sum(n) FILTER (WHERE source = 'task' AND kind = 'chat' AND c.day < t.day AND shown_from <= t.day))::int AS overdue_chat,
       (sum(n) FILTER (WHERE source = 'task' AND kind = 'call' AND c.day < t.day AND shown_from <= t.day))::int AS overdue_call,
       (sum(n) FILTER (WHERE source = 'opportunity' AND kind = 'chat' AND c.day >= t.day))::int AS chat_opps,
       (sum(n) FILTER (WHERE source = 'opportunity' AND kind = 'call' AND c.day >= t.day))::int AS call_opps,
       (count(*) FILTER (WHERE n = 0))::int AS zero_rows
     FROM c CROSS JOIN t GROUP BY c.staff_id`,
    args.staffId ? [args.workspaceId, args.now, args.timezone, args.staffId] : [args.workspaceId, args.now, args.timezone],
  );
  let zeroRows = 0;
  const out: StaffBoardCounts[] = [];
  for (const { zero_rows, ...r } of rows) {
    zeroRows += zero_rows;
    out.push({
      staff_id: r.staff_id,
      chat: r.chat ?? 0,
      call: r.call ?? 0,
      overdue_chat: r.overdue_chat ?? 0,
      overdue_call: r.overdue_call ?? 0,
      chat_opps: r.chat_opps ?? 0,
      call_opps: r.call_opps ?? 0,
    });
  }
  return { rows: out, zeroRows };
}

/** Drops counter rows that reached zero (every task of a day done): they would only lengthen reads. */
export async function dropZeroBoardCounts(sql: SqlRunner, workspaceId: string): Promise<number> {
  return sql.execute(`DELETE FROM board_counts WHERE workspace_id = $1 AND n = 0`, [workspaceId]);
}
