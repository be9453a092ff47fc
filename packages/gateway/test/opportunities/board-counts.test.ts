import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace } from "../../src/auth/keys.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { BOARD_LIST_MAX, loadBoard } from "../../src/graphql/services/board.js";
import { answerOpportunities } from "../../src/opportunities/answer.js";
import { rng } from "../seeded-random.js";

const KINDS = ["pglite", "postgres"] as const;
const ZONES = ["Asia/Shanghai", "America/New_York", "Asia/Kolkata"];
const HOURS = 3_600_000;

/** What one staff member's row of the board shows: counts and the ids of each list's head. */
type StaffLine = { chat: number; call: number; overdueChat: number; overdueCall: number; chatOpps: number; callOpps: number; chatIds: string[]; callIds: string[]; escalatedIds: string[] };

describe.each(KINDS)("board counts kept by triggers on %s", (kind) => {
  let t: TestDatabase;
  let ws: string;
  const staff: string[] = [];
  const customers: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    ws = (await createWorkspace(t.db.sql, { name: "board", settings: { timezone: ZONES[0], opportunityEscalationHours: 2 } })).id;
    for (const s of ["lead", "s1", "s2", "s3"]) {
      const [row] = await t.db.sql.query<{ id: string }>(`INSERT INTO staff (workspace_id, external_id, name) VALUES ($1, $2, $2) RETURNING id`, [ws, s]);
      staff.push(row!.id);
    }
    await t.db.sql.execute(`UPDATE staff SET lead_id = $2 WHERE workspace_id = $1 AND id <> $2`, [ws, staff[0]]);
    for (let i = 0; i < 14; i++) {
      const [c] = await t.db.sql.query<{ id: string }>(`INSERT INTO customers (workspace_id, external_id, name, staff_id) VALUES ($1, $2, $2, $3) RETURNING id`, [ws, `c${i}`, staff[i % 4]]);
      customers.push(c!.id);
    }
  });
  afterAll(() => t?.drop());

  /**
   * The oracle: the board's queries before the counters (one GROUP BY over the workspace's open
   * tasks and today's open opportunities, and every list's head as an index range).
   */
  async function groundTruth(now: Date): Promise<Map<string, StaffLine>> {
    const [w] = await t.db.sql.query<{ tz: string; hours: number }>(`SELECT settings->>'timezone' AS tz, (settings->>'opportunityEscalationHours')::float8 AS hours FROM workspaces WHERE id = $1`, [ws]);
    const rows = await t.db.sql.query<{ id: string; chat: number | null; call: number | null; overdue_chat: number | null; overdue_call: number | null; chat_opps: number; call_opps: number }>(
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
       SELECT s.id, p.chat, p.call, p.overdue_chat, p.overdue_call, COALESCE(q.chat_opps, 0) AS chat_opps, COALESCE(q.call_opps, 0) AS call_opps
       FROM staff s LEFT JOIN per_staff p ON p.staff_id = s.id LEFT JOIN opps q ON q.staff_id = s.id WHERE s.workspace_id = $1`,
      [ws, now, w!.tz],
    );
    const heads = await t.db.sql.query<{ holder: string; list: "chat" | "call" | "escalated"; id: string }>(
      `WITH day AS (SELECT (date_trunc('day', $2::timestamptz AT TIME ZONE $3) AT TIME ZONE $3) AS start),
       members AS (SELECT id, lead_id FROM staff WHERE workspace_id = $1)
       SELECT m.id AS holder, k.kind AS list, o.* FROM members m CROSS JOIN (VALUES ('chat'), ('call')) k(kind) CROSS JOIN day
       CROSS JOIN LATERAL (
         SELECT o.id, o.intent, o.first_signal_at FROM opportunities o
         WHERE o.staff_id = m.id AND o.kind = k.kind AND o.answered_at IS NULL AND o.last_signal_at >= day.start
         ORDER BY o.intent DESC, o.first_signal_at, o.id LIMIT $4
       ) o
       UNION ALL
       SELECT l.id, 'escalated', o.* FROM (SELECT DISTINCT lead_id AS id FROM members WHERE lead_id IS NOT NULL) l CROSS JOIN day
       CROSS JOIN LATERAL (
         SELECT o.id, o.intent, o.first_signal_at FROM members t JOIN opportunities o ON o.staff_id = t.id AND o.answered_at IS NULL
         WHERE t.lead_id = l.id AND o.last_signal_at >= day.start AND $5::float8 > 0 AND o.first_signal_at <= $2::timestamptz - make_interval(secs => 3600 * $5::float8)
         ORDER BY o.intent DESC, o.first_signal_at, o.id LIMIT $4
       ) o
       ORDER BY 1, 2, intent DESC, first_signal_at, id`,
      [ws, now, w!.tz, BOARD_LIST_MAX, w!.hours],
    );
    const out = new Map<string, StaffLine>();
    for (const r of rows) {
      const ids = (list: string) => heads.filter((h) => h.holder === r.id && h.list === list).map((h) => h.id);
      out.set(r.id, {
        chat: r.chat ?? 0, call: r.call ?? 0, overdueChat: r.overdue_chat ?? 0, overdueCall: r.overdue_call ?? 0, chatOpps: r.chat_opps, callOpps: r.call_opps,
        chatIds: ids("chat"), callIds: ids("call"), escalatedIds: ids("escalated"),
      });
    }
    return out;
  }

  async function board(now: Date, staffId: string | null): Promise<Map<string, StaffLine>> {
    const b = await loadBoard(t.db, { workspaceId: ws, now, staffId });
    return new Map(
      b.staff.map((s) => [
        s.staff.id,
        {
          chat: s.chat, call: s.call, overdueChat: s.overdueChat, overdueCall: s.overdueCall, chatOpps: s.chatOpportunityCount, callOpps: s.callOpportunityCount,
          chatIds: s.chatOpportunities.map((o) => o.id), callIds: s.callOpportunities.map((o) => o.id), escalatedIds: s.escalated.map((o) => o.id),
        },
      ]),
    );
  }

  async function expectBoardEqualsGroundTruth(now: Date): Promise<void> {
    const truth = await groundTruth(now);
    expect(await board(now, null)).toEqual(truth);
    // a staff token: their own line only (a lead's with the team's escalations)
    for (const id of [staff[0]!, staff[2]!]) expect(await board(now, id)).toEqual(new Map([[id, truth.get(id)]]));
  }

  it("equal the old GROUP BY queries after random task and opportunity writes, day changes and zone changes", async () => {
    const random = rng(6);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const sql = t.db.sql;
    let now = new Date("2026-12-06T03:00:00Z");
    const around = (before: number, after: number) => new Date(now.getTime() + Math.round((random() * (before + after) - before) * HOURS));
    const taskIds = async (where = "true") => (await sql.query<{ id: string }>(`SELECT id FROM tasks WHERE workspace_id = $1 AND ${where} ORDER BY id`, [ws])).map((r) => r.id);
    const signal = async () => {
      // the ingest's upsert (opportunities/record.ts): a new open opportunity, or a stronger / later signal on the open one
      const c = pick(customers);
      const at = around(9, 0.5);
      await sql.execute(
        `INSERT INTO opportunities (workspace_id, customer_id, staff_id, kind, intent, signal, first_signal_at, last_signal_at, customer_name)
         SELECT $1, $2, staff_id, $3, $4, 'message.replied', $5, $5, 'name' FROM customers WHERE id = $2
         ON CONFLICT (customer_id, kind) WHERE answered_at IS NULL DO UPDATE SET
           intent = GREATEST(opportunities.intent, EXCLUDED.intent), signals = opportunities.signals + 1, staff_id = EXCLUDED.staff_id,
           first_signal_at = LEAST(opportunities.first_signal_at, EXCLUDED.first_signal_at), last_signal_at = GREATEST(opportunities.last_signal_at, EXCLUDED.last_signal_at)`,
        [ws, c, pick(["chat", "chat", "call"]), Math.floor(random() * 4) * 10, at],
      );
    };
    const ops: Array<[number, () => Promise<unknown>]> = [
      // the scheduler's batch of new tasks (some not chat / call: not counted)
      [4, () => sql.execute(
        `INSERT INTO tasks (workspace_id, staff_id, customer_id, kind, title, due_at) SELECT $1, c.staff_id, c.id, k, 't', d
         FROM unnest($2::text[], $3::text[], $4::timestamptz[]) x(cid, k, d) JOIN customers c ON c.id = x.cid`,
        [ws, Array.from({ length: 3 }, () => pick(customers)), Array.from({ length: 3 }, () => pick(["chat", "call", "mass_send"])), Array.from({ length: 3 }, () => around(60, 40))],
      )],
      [2, async () => sql.execute(`UPDATE tasks SET status = $2, completed_at = $3 WHERE id = $1`, [pick(await taskIds("status IN ('open', 'snoozed')")), pick(["done", "skipped"]), now])],
      // snoozed until later today, tomorrow, or (due in the future) until before it is due
      [2, async () => sql.execute(`UPDATE tasks SET status = 'snoozed', snoozed_until = $2 WHERE id = $1`, [pick(await taskIds("status IN ('open', 'snoozed')")), around(-1, 40)])],
      [1, async () => sql.execute(`UPDATE tasks SET status = 'snoozed', snoozed_until = $2 WHERE id = $1`, [pick(await taskIds(`status = 'open' AND due_at > '${new Date(now.getTime() + 12 * HOURS).toISOString()}'`)), around(-0.5, 3)])],
      [1, async () => sql.execute(`UPDATE tasks SET status = 'open' WHERE id = $1`, [pick(await taskIds("status = 'snoozed'"))])],
      // handover: the customer, their open opportunities (customers trigger) and open tasks move
      [1, async () => {
        const c = pick(customers);
        const to = pick(staff);
        await sql.transaction(async (tx) => {
          await tx.execute(`UPDATE customers SET staff_id = $2 WHERE id = $1`, [c, to]);
          await tx.execute(`UPDATE tasks SET staff_id = $2 WHERE customer_id = $1 AND status IN ('open', 'snoozed') AND staff_id IS DISTINCT FROM $2`, [c, to]);
        });
      }],
      [6, signal],
      [2, () => answerOpportunities(sql, ws, [pick(customers), pick(customers)], now)],
      [1, async () => sql.execute(`UPDATE tasks SET kind = 'call' WHERE id = $1`, [pick(await taskIds())])],
      // a write that rolls back counts nothing
      [1, () => sql.transaction(async (tx) => {
        await tx.execute(`UPDATE tasks SET status = 'done' WHERE workspace_id = $1`, [ws]);
        await tx.execute(`UPDATE opportunities SET answered_at = $2 WHERE workspace_id = $1`, [ws, now]);
        throw new Error("abort");
      }).catch(() => undefined)],
      [1, async () => sql.execute(`DELETE FROM tasks WHERE id = $1`, [pick(await taskIds())])],
      // the clock moves on: past midnight in some zone, sometimes a whole day
      [2, async () => { now = new Date(now.getTime() + Math.round((2 + random() * 24) * HOURS)); }],
      [1, () => sql.execute(`UPDATE workspaces SET settings = jsonb_set(settings, '{timezone}', to_jsonb($2::text)) WHERE id = $1`, [ws, pick(ZONES)])],
    ];
    const weights = ops.reduce((a, [w]) => a + w, 0);
    const runOp = async () => {
      let r = random() * weights;
      for (const [w, op] of ops) if ((r -= w) < 0) return op();
    };
    // first read: no counts yet (the rebuild)
    for (let i = 0; i < 12; i++) await runOp();
    await expectBoardEqualsGroundTruth(now);
    for (let round = 0; round < 14; round++) {
      for (let i = 0; i < 12; i++) await runOp();
      await expectBoardEqualsGroundTruth(now);
    }
    // the sequence exercised what it should: counts and lists the oracle sees as non-zero
    const truth = [...(await groundTruth(now)).values()];
    expect(truth.some((s) => s.overdueChat + s.overdueCall > 0)).toBe(true);
    // a customer deleted: their tasks and opportunities go (cascades)
    await sql.execute(`DELETE FROM customers WHERE id = $1`, [customers.pop()]);
    await expectBoardEqualsGroundTruth(now);
  });
});
