// 群发助手 confirmations per staff member per day (issue 15, point 2): the B2B example journey
// (examples/journeys/b2b-nurture.ts) with `--per-day` new friends per staff member per day (default
// 200, added 08:00–22:00 Shanghai), driven hour by hour with an injected clock on PGlite (or
// PostgreSQL with --db postgres): the scheduler fires steps, the mass-send worker gathers the 群发助手
// steps into the default send slots (10:00, 20:00) within the default budget (1 a day per customer),
// and a stub WeCom API accepts every task (every customer confirmed sent). Counts one confirmation
// per mass_sends row (one add_msg_template = one task the staff member confirms in WeCom).
// Aim: ≤ 10 confirmations per staff member per day (≈ 10 minutes a day).
// Run: npm run bench:masssend [-- --days 24 --staff 2 --per-day 200 --db pglite --dry] (about a minute and a
// half here; --days 42 also reaches the quiet stage's wake-up offer on day 37, about 4 minutes)
import os from "node:os";
import { parseArgs } from "node:util";
import { b2bNurture } from "../examples/journeys/index.js";
import type { WeComApi } from "../packages/gateway/src/channels/wecom/api.js";
import { createTestDatabase } from "../packages/gateway/src/db/test-databases.js";
import { enrollCustomers } from "../packages/gateway/src/engine/enroll.js";
import { JourneyRegistry } from "../packages/gateway/src/engine/journey-registry.js";
import { emptyNotices } from "../packages/gateway/src/engine/persist-advances.js";
import { createScheduler } from "../packages/gateway/src/engine/scheduler.js";
import { upsertJourney } from "../packages/gateway/src/graphql/services/journeys.js";
import { createMassSendWorker } from "../packages/gateway/src/wecom-integration/index.js";
import { machine, writeSection } from "./results.js";

const { values } = parseArgs({
  options: {
    days: { type: "string", default: "24" },
    staff: { type: "string", default: "2" },
    "per-day": { type: "string", default: "200" },
    db: { type: "string", default: "pglite" },
    dry: { type: "boolean", default: false },
  },
});
const DAYS = Number(values.days);
const STAFF = Number(values.staff);
const PER_DAY = Number(values["per-day"]);
const HOUR = 3_600_000;
const DAY0 = Date.parse("2026-11-22T16:00:00Z"); // Monday 2026-11-23 00:00 in Shanghai
const ADD_HOURS = 14; // friends arrive 08:00–21:59
const shanghaiDay = (at: number) => Math.floor((at - DAY0) / (24 * HOUR));

const started = Date.now();
const t = await createTestDatabase(values.db === "postgres" ? "postgres" : "pglite");
try {
  const db = t.db;
  const [ws] = await db.sql.query<{ id: string }>(`INSERT INTO workspaces (name, api_key_hash) VALUES ('bench-masssend', md5(random()::text)) RETURNING id`);
  const workspaceId = ws!.id;
  const staff: Array<{ id: string; user: string }> = [];
  for (let i = 0; i < STAFF; i++) {
    const [s] = await db.sql.query<{ id: string }>(`INSERT INTO staff (workspace_id, external_id, name) VALUES ($1, $2, $2) RETURNING id`, [workspaceId, `staff${i}`]);
    staff.push({ id: s!.id, user: `staff${i}` });
  }
  const refs = new Set(b2bNurture.stages.flatMap((s) => (s.sop ?? []).map((st) => st.content)));
  for (const ref of refs) await db.sql.execute(`INSERT INTO contents (workspace_id, ref, title, body, type) VALUES ($1, $2, $2, $3::jsonb, 'article')`, [workspaceId, ref, JSON.stringify({ text: ref })]);
  const registry = new JourneyRegistry();
  // published as on a WeCom gateway: refused if any step had no official path
  await upsertJourney(db, registry, { workspaceId, definition: b2bNurture, now: new Date(DAY0), delivery: { wecom: true } });

  let msgids = 0;
  const sent = new Map<string, string[]>();
  const api = {
    async addMsgTemplate(req: { external_userid?: string[] }) {
      const msgid = `msg${++msgids}`;
      sent.set(msgid, req.external_userid ?? []);
      return { msgid, fail_list: [] };
    },
    async getAllGroupMsgSendResults(req: { msgid: string; userid: string }) {
      return (sent.get(req.msgid) ?? []).map((external_userid) => ({ external_userid, userid: req.userid, status: 1, send_time: 0 }));
    },
    async remindGroupMsgSend() {},
  } as unknown as WeComApi;
  const scheduler = createScheduler({ db, registry, clock: () => new Date(DAY0) });
  const worker = createMassSendWorker({ db, api, clock: () => new Date(DAY0), workspaceIds: [workspaceId], pollIntervalMs: HOUR });

  let added = 0;
  for (let at = DAY0; at < DAY0 + DAYS * 24 * HOUR; at += HOUR) {
    const hourOfDay = ((at - DAY0) / HOUR) % 24;
    if (hourOfDay >= 8 && hourOfDay < 8 + ADD_HOURS) {
      // this hour's share of the day's friend-adds, per staff member
      const k = hourOfDay - 8;
      const n = Math.floor((PER_DAY * (k + 1)) / ADD_HOURS) - Math.floor((PER_DAY * k) / ADD_HOURS);
      for (const s of staff) {
        const rows = await db.sql.query<{ id: string }>(
          `INSERT INTO customers (workspace_id, external_id, wecom_external_user_id, staff_id)
           SELECT $1, 'c' || ($3::int + g), 'wm' || ($3::int + g), $2 FROM generate_series(1, $4::int) g RETURNING id`,
          [workspaceId, s.id, added, n],
        );
        added += n;
        const addAt = new Date(at + 10 * 60_000);
        await db.sql.transaction((tx) => enrollCustomers(tx, registry, rows.map((r) => ({ workspaceId, customer: { id: r.id }, journeyKey: b2bNurture.id, staffId: s.id })), addAt, emptyNotices()));
      }
    }
    const tick = new Date(at + 30 * 60_000); // the slots at :00 are gathered at :30
    await scheduler.runOnce(tick);
    await worker.runOnce(tick);
  }

  const confirmations = await db.sql.query<{ staff_id: string; slot_at: Date; n: number }>(
    `SELECT staff_id, slot_at, count(*)::int AS n FROM mass_sends WHERE workspace_id = $1 GROUP BY staff_id, slot_at`,
    [workspaceId],
  );
  const chats = await db.sql.query<{ staff_id: string; due_at: Date; n: number }>(
    `SELECT staff_id, date_trunc('hour', due_at) AS due_at, count(*)::int AS n FROM tasks WHERE workspace_id = $1 AND kind = 'chat' GROUP BY 1, 2`,
    [workspaceId],
  );
  const perStaffDay = (rows: Array<{ staff_id: string; at: number; n: number }>) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(`${r.staff_id}:${shanghaiDay(r.at)}`, (m.get(`${r.staff_id}:${shanghaiDay(r.at)}`) ?? 0) + r.n);
    return m;
  };
  const conf = perStaffDay(confirmations.map((r) => ({ staff_id: r.staff_id, at: new Date(r.slot_at).getTime(), n: r.n })));
  const chat = perStaffDay(chats.map((r) => ({ staff_id: r.staff_id, at: new Date(r.due_at).getTime(), n: r.n })));
  const days = [...Array(DAYS).keys()];
  const series = (m: Map<string, number>) => days.map((d) => Math.max(...staff.map((s) => m.get(`${s.id}:${d}`) ?? 0)));
  const confByDay = series(conf);
  const chatByDay = series(chat);
  const all = staff.flatMap((s) => days.map((d) => conf.get(`${s.id}:${d}`) ?? 0));
  const maxConf = Math.max(...all);
  const meanConf = all.reduce((a, b) => a + b, 0) / all.length;
  const [targets] = await db.sql.query<{ customers: number; per_customer_max_day: number }>(
    `SELECT count(*)::int AS customers, COALESCE(max(n), 0)::int AS per_customer_max_day FROM (SELECT customer_id, period, count(*) AS n FROM mass_send_targets GROUP BY 1, 2) x`,
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const summary = [
    `${STAFF} staff × ${PER_DAY} new friends a day × ${DAYS} days (${added.toLocaleString("en-US")} customers) on ${values.db}, ${seconds} s.`,
    `群发助手 confirmations per staff member per day: max ${maxConf}, mean ${meanConf.toFixed(1)} (aim ≤ 10: ${maxConf <= 10 ? "met" : "NOT met"}).`,
    `By day (max over staff): ${confByDay.join(" ")}.`,
    `群发 customer-sends: ${targets!.customers.toLocaleString("en-US")}; most 群发 one customer got in one day: ${targets!.per_customer_max_day} (budget 1).`,
    `Chat tasks (sent by hand from the chat toolbar: whitepaper day 0, case day 1) per staff member per day, max: ${Math.max(...chatByDay)} (= 2 × new friends: the example keeps the first days by hand).`,
  ];
  console.log(summary.join("\n"));
  if (!values.dry) {
    writeSection(
      "群发助手 confirmations per staff member per day (npm run bench:masssend)",
      `${summary.map((l) => `- ${l}`).join("\n")}\n\n${machine()} nproc ${os.availableParallelism()}. The B2B example: trial offer day 7, weekly cases days 14–35, case follow-up and wake-up offer as 群发助手 steps (\`delivery: "mass_send"\`) in the default slots 10:00 and 20:00; one task per distinct content per slot whatever the step's timing. Every task confirmed at once by the stub API (a real staff member confirms later: the count is the same).`,
    );
  }
} finally {
  await t.drop();
}
