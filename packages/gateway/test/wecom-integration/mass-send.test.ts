import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AddMsgTemplateRequest } from "../../src/channels/wecom/types.js";
import type { Database } from "../../src/db/index.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { enrollCustomers } from "../../src/engine/enroll.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { createScheduler } from "../../src/engine/scheduler.js";
import { claimMassSends } from "../../src/wecom-integration/mass-send/claim.js";
import { createMassSendWorker, type MassSendWorkerOptions } from "../../src/wecom-integration/index.js";
import { CORP, type Env, createEnv, one, seedWeComWorkspace } from "./helpers.js";

const T0 = new Date("2026-11-23T02:00:00Z"); // Monday 10:00 Shanghai
const DAY1_0900 = new Date("2026-11-24T01:00:00Z");
const SLOT = new Date("2026-11-24T02:00:00Z"); // day 1 10:00 Shanghai: the first send slot after 09:00
const RUN = new Date(SLOT.getTime() + 60_000); // the slot is gathered a minute after its time
const min = (d: Date, n: number) => new Date(d.getTime() + n * 60_000);
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe.each(["pglite", "postgres"] as const)("群发助手 on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** n WeCom customers per staff member (amy, bob), friends in the fake, enrolled at T0; day 1 09:00 fired. */
  async function setup(perStaff: number, opts: { friends?: boolean } = {}) {
    const env = createEnv(server, T0);
    const ws = await seedWeComWorkspace(t.db);
    const users = ["amy", "bob"];
    const customers: Array<{ id: string; ext: string; staff: string; user: string }> = [];
    for (const [i, user] of users.entries()) {
      const rows = await t.db.sql.query<{ id: string; ext: string }>(
        `INSERT INTO customers (workspace_id, external_id, wecom_external_user_id, staff_id)
         SELECT $1, 'c-' || $3 || g, 'wm' || $3 || g, $2 FROM generate_series(1, $4::int) g RETURNING id, wecom_external_user_id AS ext`,
        [ws.workspaceId, ws.staff[i], user, perStaff],
      );
      for (const r of rows) {
        customers.push({ ...r, staff: ws.staff[i]!, user });
        if (opts.friends !== false) env.fake.addExternalContact(CORP.corpId, { userId: user, externalUserId: r.ext, withWelcomeCode: false });
      }
    }
    await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, ws.registry, customers.map((c) => ({ workspaceId: ws.workspaceId, customer: { id: c.id }, journeyKey: "wecom-new", staffId: c.staff })), T0, emptyNotices()),
    );
    env.now.t = DAY1_0900.getTime();
    const fired = await createScheduler({ db: t.db, registry: ws.registry, clock: env.clock }).runOnce(DAY1_0900);
    expect(fired).toMatchObject({ fired: customers.length * 3, tasks: 0 }); // regreet, case + offer: 群发助手 steps make no per-customer task
    return { ...env, ...ws, customers };
  }

  const worker = (env: Env & { workspaceId: string }, o: Partial<MassSendWorkerOptions> = {}) =>
    // two 群发 a day per customer, so both day-1 contents go in one slot (the budget has its own test)
    createMassSendWorker({ db: t.db, api: env.clients.wecom!, clock: env.clock, pollIntervalMs: 10 * 60_000, workspaceIds: [env.workspaceId], budget: { perDay: 2 }, ...o });
  const templates = (env: Env) => env.fake.callsTo("/cgi-bin/externalcontact/add_msg_template").map((c) => c.body as AddMsgTemplateRequest);
  const deliveries = (db: Database, ws: string, step: string) =>
    db.sql.query<{ ext: string; status: string; provider_error: string | null; provider_id: string | null }>(
      `SELECT c.wecom_external_user_id AS ext, d.status, d.provider_error, d.provider_id FROM deliveries d JOIN customers c ON c.id = d.customer_id
       WHERE d.workspace_id = $1 AND d.step_id = $2 ORDER BY ext`,
      [ws, step],
    );

  it("one add_msg_template per staff member AND per content at the send slot, never merged; one mass_send task per call in the feed", async () => {
    const s = await setup(3);
    expect(await worker(s).runOnce(DAY1_0900)).toMatchObject({ created: 0, waiting: 12 }); // due 09:00: the 10:00 slot
    expect(await one(t.db, `SELECT count(*)::int AS n, min(next_attempt_at) AS at FROM deliveries WHERE workspace_id = $1 AND mode = 'mass_send'`, [s.workspaceId])).toEqual({ n: 12, at: SLOT });
    expect(await worker(s).runOnce(SLOT)).toMatchObject({ created: 0 }); // a minute's grace for steps recorded late
    s.now.t = RUN.getTime();
    const stats = await worker(s).runOnce(RUN);
    expect(stats).toMatchObject({ created: 4, customers: 12, deferred: 0 });
    const calls = templates(s);
    expect(calls).toHaveLength(4);
    for (const c of calls) {
      expect(c.chat_type).toBe("single");
      expect(c.external_userid).toHaveLength(3);
      expect(c.external_userid!.every((x) => x.startsWith(`wm${c.sender}`))).toBe(true); // only the sender's customers
    }
    expect(calls.map((c) => `${c.sender}:${c.text?.content}`).sort()).toEqual(["amy:客户案例：某车主的试驾体验", "amy:本周试驾礼", "bob:客户案例：某车主的试驾体验", "bob:本周试驾礼"]);
    expect(calls.find((c) => c.text?.content === "本周试驾礼")!.attachments).toBeUndefined();
    expect(calls.find((c) => c.text?.content !== "本周试驾礼")!.attachments).toHaveLength(1);
    const feed = await t.db.sql.query<{ kind: string; title: string; content: string; due_at: Date }>(
      `SELECT kind, title, content, due_at FROM tasks WHERE staff_id = $1 AND status = 'open' ORDER BY content`, [s.staff[0]],
    );
    expect(feed).toEqual([
      { kind: "mass_send", content: "case-1", title: "群发助手 · case-1 → 3 customers (confirm in WeCom)", due_at: SLOT },
      { kind: "mass_send", content: "offer-1", title: "群发助手 · offer-1 → 3 customers (confirm in WeCom)", due_at: SLOT },
    ]);
    const ms = await t.db.sql.query<{ msgid: string; task_id: string; step_id: string; status: string }>(`SELECT msgid, task_id, step_id, status FROM mass_sends WHERE workspace_id = $1`, [s.workspaceId]);
    expect(ms.every((m) => m.msgid && m.task_id && m.status === "open")).toBe(true);
    expect((await deliveries(t.db, s.workspaceId, "case")).every((d) => d.status === "pending" && d.provider_id !== null)).toBe(true);
    expect(await worker(s).runOnce(RUN)).toMatchObject({ created: 0 }); // nothing twice
  });

  it("polls get_groupmsg_send_result: sent, not-a-friend (2), skipped-quota (3); done when nobody is pending", async () => {
    const s = await setup(3);
    const w = worker(s);
    s.now.t = RUN.getTime();
    await w.runOnce(RUN);
    const ms = await one<{ msgid: string; task_id: string }>(t.db, `SELECT msgid, task_id FROM mass_sends WHERE sender = 'amy' AND step_id = 'case' AND workspace_id = $1`, [s.workspaceId]);
    s.now.t = min(RUN, 5).getTime();
    s.fake.setSendStatus(ms.msgid, "wmamy1", 1);
    s.fake.setSendStatus(ms.msgid, "wmamy2", 2);
    expect(await w.runOnce(s.clock())).toMatchObject({ polled: 0 }); // not yet: next poll in 10 min
    s.now.t = min(RUN, 10).getTime();
    expect(await w.runOnce(s.clock())).toMatchObject({ polled: 4, sent: 1, notDelivered: 1 });
    expect((await deliveries(t.db, s.workspaceId, "case")).filter((d) => d.ext.startsWith("wmamy"))).toEqual([
      { ext: "wmamy1", status: "sent", provider_error: null, provider_id: ms.msgid },
      { ext: "wmamy2", status: "failed", provider_error: "not-a-friend", provider_id: ms.msgid },
      { ext: "wmamy3", status: "pending", provider_error: null, provider_id: ms.msgid },
    ]);
    s.fake.setSendStatus(ms.msgid, "wmamy3", 3);
    s.now.t = min(RUN, 20).getTime();
    await w.runOnce(s.clock());
    expect((await deliveries(t.db, s.workspaceId, "case")).find((d) => d.ext === "wmamy3")).toMatchObject({ status: "skipped", provider_error: null });
    expect(await one(t.db, `SELECT d.reason, t.outcome FROM deliveries d JOIN mass_send_targets t ON t.delivery_key = d.key JOIN customers c ON c.id = d.customer_id WHERE c.wecom_external_user_id = 'wmamy3' AND d.step_id = 'case' AND d.workspace_id = $1`, [s.workspaceId])).toEqual({ reason: "skipped-quota", outcome: "skipped-quota" });
    expect(await one(t.db, `SELECT m.status, t.status AS task FROM mass_sends m JOIN tasks t ON t.id = m.task_id WHERE m.msgid = $1 AND m.workspace_id = $2`, [ms.msgid, s.workspaceId])).toEqual({ status: "done", task: "done" });
  });

  it("splits more than maxPerTask customers into several calls of one content", async () => {
    const s = await setup(7);
    expect(await worker(s, { maxPerTask: 3 }).runOnce(RUN)).toMatchObject({ created: 12, customers: 28 });
    const amyCase = templates(s).filter((c) => c.sender === "amy" && c.text?.content?.startsWith("客户案例"));
    expect(amyCase.map((c) => c.external_userid!.length)).toEqual([3, 3, 1]);
  });

  it("the per-customer budget (default 1 a day, WeCom's rule): the second content waits for the next day's slot, never lost", async () => {
    const s = await setup(2);
    const w = worker(s, { budget: {} }); // the defaults
    expect(await w.runOnce(RUN)).toMatchObject({ created: 2, customers: 4, deferred: 4 });
    expect(templates(s).every((c) => c.text?.content?.startsWith("客户案例"))).toBe(true);
    const offer = await t.db.sql.query<{ status: string; next_attempt_at: Date; reason: string }>(`SELECT status, next_attempt_at, reason FROM deliveries WHERE workspace_id = $1 AND step_id = 'offer'`, [s.workspaceId]);
    const tomorrow = new Date("2026-11-24T16:00:00Z"); // 25 November 00:00 China time
    expect(offer.every((d) => d.status === "task" && d.next_attempt_at.getTime() === tomorrow.getTime())).toBe(true);
    expect(offer[0]!.reason).toMatch(/mass-send budget: customer already received 1 of 1 群发 this day/);
    expect(await one(t.db, `SELECT count(*)::int AS n FROM tasks WHERE workspace_id = $1 AND kind = 'chat'`, [s.workspaceId])).toEqual({ n: 0 });
    expect(await w.runOnce(new Date("2026-11-24T12:01:00Z"))).toMatchObject({ created: 0 }); // the 20:00 slot: still day 1
    const slot2 = new Date("2026-11-25T02:01:00Z"); // day 2 10:00 slot
    s.now.t = slot2.getTime();
    expect(await w.runOnce(slot2)).toMatchObject({ created: 2, customers: 4, deferred: 0 });
  });

  it("the budget is a workspace setting: at most 1 a month defers to the next month", async () => {
    const s = await setup(2);
    await t.db.sql.execute(`UPDATE workspaces SET settings = settings || '{"massSend":{"budget":{"perDay":2,"perMonth":1}}}'::jsonb WHERE id = $1`, [s.workspaceId]);
    const w = worker(s, { budget: {} });
    expect(await w.runOnce(RUN)).toMatchObject({ created: 2, customers: 4, deferred: 4 });
    const december = new Date("2026-11-30T16:00:00Z"); // 1 December 00:00 China time
    const offer = await t.db.sql.query<{ next_attempt_at: Date; reason: string }>(`SELECT next_attempt_at, reason FROM deliveries WHERE workspace_id = $1 AND step_id = 'offer'`, [s.workspaceId]);
    expect(offer.every((d) => d.next_attempt_at.getTime() === december.getTime())).toBe(true);
    expect(offer[0]!.reason).toMatch(/1 of 1 群发 this month/);
    expect(await w.runOnce(new Date("2026-11-30T15:59:00Z"))).toMatchObject({ created: 0 });
    const first = new Date("2026-12-01T02:01:00Z");
    s.now.t = first.getTime();
    expect(await w.runOnce(first)).toMatchObject({ created: 2, customers: 4, deferred: 0 });
  });

  it("retries a transient add_msg_template failure with backoff, fails a permanent one with the code; fail_list customers fail", async () => {
    const s = await setup(2, { friends: false });
    const path = "/cgi-bin/externalcontact/add_msg_template";
    s.fake.failNext(path, { errcode: -1 }, 4);
    const w = worker(s, { retry: { maxAttempts: 3, baseMs: 60_000 } });
    expect(await w.runOnce(RUN)).toMatchObject({ created: 0, retried: 8 });
    expect((await deliveries(t.db, s.workspaceId, "case")).every((d) => d.status === "task" && d.provider_error === "-1")).toBe(true);
    expect(await one(t.db, `SELECT count(*)::int AS n FROM mass_sends WHERE workspace_id = $1`, [s.workspaceId])).toEqual({ n: 0 });
    expect(await w.runOnce(min(RUN, 2))).toMatchObject({ created: 0, retried: 0, waiting: 8 }); // after the backoff: the next slot, 20:00
    // Nobody is a friend in the fake: WeCom accepts the task and lists everyone in fail_list.
    const evening = new Date("2026-11-24T12:01:00Z");
    expect(await w.runOnce(evening)).toMatchObject({ created: 4, customers: 0, notDelivered: 8 });
    expect((await deliveries(t.db, s.workspaceId, "offer")).every((d) => d.status === "failed" && d.provider_error === "fail_list")).toBe(true);
    expect(await one(t.db, `SELECT count(*)::int AS n FROM tasks WHERE workspace_id = $1 AND kind = 'mass_send'`, [s.workspaceId])).toEqual({ n: 0 });

    const p = await setup(1);
    p.fake.failNext(path, { errcode: 40003, errmsg: "invalid userid" }, 10);
    expect(await worker(p).runOnce(RUN)).toMatchObject({ failed: 4 });
    expect((await deliveries(t.db, p.workspaceId, "case")).every((d) => d.status === "failed" && d.provider_error === "40003")).toBe(true);
    expect(await one(t.db, `SELECT count(*)::int AS n FROM mass_send_targets t JOIN customers c ON c.id = t.customer_id WHERE c.workspace_id = $1`, [p.workspaceId])).toEqual({ n: 0 });
  });

  it("a worker dying between claim and WeCom call: the claim is undone after its lease and the send happens", async () => {
    const s = await setup(1);
    const claimed = await t.db.sql.transaction((tx) => claimMassSends(tx, { now: RUN, limit: 100, maxPerTask: 10_000, leaseMs: 60_000, defaults: { budget: { perDay: 2 } } }));
    expect(claimed.groups).toHaveLength(4);
    const w = worker(s, { leaseMs: 60_000 });
    expect(await w.runOnce(min(RUN, 0.5))).toMatchObject({ created: 0 });
    expect(await w.runOnce(min(RUN, 1))).toMatchObject({ created: 4, customers: 4 });
    expect(await one(t.db, `SELECT count(*)::int AS n FROM mass_sends WHERE workspace_id = $1`, [s.workspaceId])).toEqual({ n: 4 });
  });

  it("reminds the sender with remind_groupmsg_send at most 3 times in any 24 h", async () => {
    const s = await setup(1);
    const w = worker(s, { remindAfterMs: 30 * 60_000, remindEveryMs: 30 * 60_000, pollIntervalMs: 24 * 3_600_000 });
    await w.runOnce(RUN);
    let reminded = 0;
    for (let m = 30; m <= 26 * 60; m += 30) {
      s.now.t = min(RUN, m).getTime();
      reminded += (await w.runOnce(s.clock())).reminded;
    }
    const times = [...s.fake.tasks.values()].flatMap((task) => task.reminders.map((at) => ({ msgid: task.msgid, at })));
    expect(reminded).toBe(times.length);
    for (const task of s.fake.tasks.values()) {
      const at = task.reminders;
      expect(at.length).toBeGreaterThanOrEqual(4); // the 4th comes once the first leaves the 24 h window
      for (const a of at) expect(at.filter((b) => b >= a && b < a + 24 * 3_600_000).length).toBeLessThanOrEqual(3);
    }
  });
});
