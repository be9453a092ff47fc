// A whole day of a real-shaped WeCom account, driven by an injected clock (nothing sleeps):
// 200 friend-adds arrive as encrypted callbacks (some retried by WeCom, some without a welcome
// code), welcomes go out inside 20 s, a quarter of the customers reply, the 2-hour re-greet reaches
// only the others, some buy, some delete their staff member, day-1 09:00 群发助手 tasks are created
// per staff member and content at the 10:00 send slot, staff confirm them, results come back (some
// not a friend any more),
// and the board counts what it should.
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AddMsgTemplateRequest } from "../../src/channels/wecom/types.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { createAdapterRegistry, createDeliveryWorker, createWebhookAdapter } from "../../src/delivery/index.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { createScheduler } from "../../src/engine/scheduler.js";
import { ingestEvents } from "../../src/events/ingest.js";
import { type CallbackProcessed, createMassSendWorker, createWeComCallbackHandler } from "../../src/wecom-integration/index.js";
import { CALLBACK_URL, CORP, createEnv, seedWeComWorkspace } from "./helpers.js";

const DAY0 = Date.parse("2026-11-23T00:00:00Z"); // Monday 08:00 in Shanghai
const END = Date.parse("2026-11-24T03:00:00Z"); // Tuesday 11:00 in Shanghai
const MIN = 60_000;
const STAFF = ["amy", "bob", "cat"]; // cat is not in sopline yet: WeCom introduces her
const N = 200;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// Who does what (i = the i-th friend-add of the day).
const addedAt = (i: number) => DAY0 + i * 252_000; // every 4.2 minutes, 08:00–21:56
const noWelcomeCode = (i: number) => i % 25 === 7; // 8: admin console welcome configured for that moment
const retried = (i: number) => i % 10 === 3; // 20: WeCom did not hear our answer and retries
const replies = (i: number) => i % 4 === 1; // 50: reply 30 minutes after the add
const buys = (i: number) => i % 20 === 5; // 10 (all repliers): order.paid 3 h after the add
const leavesDay0 = (i: number) => i % 40 === 10; // 5: delete their staff member 5 h after the add
const leavesBeforeConfirm = (i: number) => i % 50 === 24; // 4: delete the staff member at day-1 10:15 (task made, not confirmed)

describe.each(["pglite", "postgres"] as const)("a day of a WeCom account on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("runs 200 friend-adds through welcome, re-greet, 群发助手 and send results", async () => {
    const env = createEnv(server, new Date(DAY0));
    const { now, clock, fake, clients } = env;
    const { workspaceId, registry } = await seedWeComWorkspace(t.db);
    const hook: Array<{ stepId: string; customer: string; staff: string }> = [];
    server.use(
      http.post("https://hooks.example.test/wecom-chat", async ({ request }) => {
        const body = (await request.json()) as { stepId: string; customer: { wecomExternalUserId: string }; staffExternalId: string };
        hook.push({ stepId: body.stepId, customer: body.customer.wecomExternalUserId, staff: body.staffExternalId });
        return HttpResponse.json({ id: `chat-${hook.length}` });
      }),
    );

    const processed: CallbackProcessed[] = [];
    const handler = createWeComCallbackHandler({ db: t.db, registry, workspaceId, corp: CORP, api: clients.wecom!, clock, defaultJourney: "wecom-new", onProcessed: (p) => processed.push(p) });
    const scheduler = createScheduler({ db: t.db, registry, clock });
    // Auto private chats without a welcome code go through the company's own chat hook.
    const chat = createWebhookAdapter({ channel: "private_chat", url: "https://hooks.example.test/wecom-chat", secret: "s", now: () => now.t });
    const deliveries = createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([chat]), clock, workspaceIds: [workspaceId] });
    // both day-1 contents in one slot: two 群发 a day per customer (the default budget is 1)
    const massSend = createMassSendWorker({ db: t.db, api: clients.wecom!, clock, workspaceIds: [workspaceId], pollIntervalMs: 10 * MIN, budget: { perDay: 2 } });

    // The day's happenings, in time order.
    const ext = (i: number) => `wmcust${String(i).padStart(3, "0")}`;
    const staffOf = (i: number) => STAFF[i % 3]!;
    type Action = { at: number; run: () => Promise<void> };
    const actions: Action[] = [];
    const post = async (req: Request) => expect(await (await handler(req)).text()).toBe("success");
    const welcomeLatency: number[] = [];
    for (let i = 0; i < N; i++) {
      const at = addedAt(i);
      actions.push({
        at,
        run: async () => {
          const add = fake.addExternalContact(CORP.corpId, { userId: staffOf(i), externalUserId: ext(i), state: "qr-store", withWelcomeCode: !noWelcomeCode(i) });
          await post(add.request(CALLBACK_URL));
          now.t += 2_000; // our processing runs right after the acknowledgement
          await handler.drain();
          const sent = fake.welcomeSent.find((w) => w.welcomeCode === add.welcomeCode);
          if (sent) welcomeLatency.push(sent.at - add.event.createTime * 1000);
          if (retried(i)) {
            now.t += 4_000; // WeCom retries after 5 s without an answer it heard
            await post(add.redeliver().request(CALLBACK_URL));
            await handler.drain();
          }
        },
      });
      if (replies(i)) {
        actions.push({
          at: at + 30 * MIN,
          run: async () => {
            const r = await ingestEvents(t.db, registry, workspaceId, [{ id: `reply-${i}`, customer: ext(i), customerIdKind: "wecom", name: "message.replied", at: clock() }], clock(), emptyNotices());
            expect(r.accepted).toBe(1);
          },
        });
      }
      if (buys(i)) {
        actions.push({ at: at + 3 * 60 * MIN, run: async () => void (await ingestEvents(t.db, registry, workspaceId, [{ id: `order-${i}`, customer: ext(i), customerIdKind: "wecom", name: "order.paid", at: clock() }], clock(), emptyNotices())) });
      }
      if (leavesDay0(i)) actions.push({ at: at + 5 * 60 * MIN, run: async () => (await post(fake.customerDeletesStaff(CORP.corpId, { userId: staffOf(i), externalUserId: ext(i) }).request(CALLBACK_URL)), await handler.drain()) });
      if (leavesBeforeConfirm(i)) actions.push({ at: Date.parse("2026-11-24T02:15:00Z"), run: async () => (await post(fake.customerDeletesStaff(CORP.corpId, { userId: staffOf(i), externalUserId: ext(i) }).request(CALLBACK_URL)), await handler.drain()) });
    }
    // Staff confirm their 群发助手 tasks at 10:30 (after checking the feed; the tasks come at the 10:00 slot).
    let feedAtNine: Array<{ staff: string; kind: string; n: number }> = [];
    actions.push({
      at: Date.parse("2026-11-24T02:30:00Z"),
      run: async () => {
        feedAtNine = await t.db.sql.query(
          `SELECT s.external_id AS staff, t.kind, count(*)::int AS n FROM tasks t JOIN staff s ON s.id = t.staff_id WHERE t.workspace_id = $1 AND t.status = 'open' GROUP BY 1, 2 ORDER BY 1, 2`,
          [workspaceId],
        );
        for (const task of fake.tasks.values()) fake.confirmTask(task.msgid);
      },
    });
    actions.sort((a, b) => a.at - b.at);

    // Drive the clock: happenings at their time, the workers every 5 minutes.
    let next = 0;
    for (let tick = DAY0; tick <= END; tick += 5 * MIN) {
      while (next < actions.length && actions[next]!.at <= tick) {
        const action = actions[next++]!;
        now.t = Math.max(now.t, action.at);
        await action.run();
      }
      now.t = Math.max(now.t, tick);
      await scheduler.runOnce(clock());
      await deliveries.runOnce(clock());
      await massSend.runOnce(clock());
    }
    expect(next).toBe(actions.length);

    // Callbacks: every add processed once, WeCom's retries recognised.
    const outcomes = processed.reduce<Record<string, number>>((acc, p) => ((acc[`${p.event.type}:${p.outcome}`] = (acc[`${p.event.type}:${p.outcome}`] ?? 0) + 1), acc), {});
    expect(outcomes).toEqual({ "add_external_contact:processed": 200, "add_external_contact:duplicate": 20, "del_follow_user:processed": 9 });
    const q = async (text: string, params: unknown[] = [workspaceId]) => t.db.sql.query<Record<string, unknown>>(text, params);
    expect(await q(`SELECT count(*)::int AS customers, count(DISTINCT staff_id)::int AS staff FROM customers WHERE workspace_id = $1`)).toEqual([{ customers: 200, staff: 3 }]);

    // Welcomes: 192 through send_welcome_msg, each inside the 20-second window; 8 without a code via the chat hook.
    expect(fake.welcomeSent).toHaveLength(192);
    expect(welcomeLatency).toHaveLength(192);
    expect(Math.max(...welcomeLatency)).toBeLessThanOrEqual(20_000);
    expect(hook.filter((h) => h.stepId === "greet")).toHaveLength(8);
    expect(await q(`SELECT status, provider_id LIKE 'chat-%' AS via_hook, count(*)::int AS n FROM deliveries WHERE workspace_id = $1 AND step_id = 'greet' GROUP BY 1, 2 ORDER BY 2`)).toEqual([
      { status: "sent", via_hook: false, n: 192 },
      { status: "sent", via_hook: true, n: 8 },
    ]);

    // Re-greet after 2 h only to the 150 who did not reply; the 50 repliers' step is skipped.
    const regreeted = new Set(hook.filter((h) => h.stepId === "regreet").map((h) => h.customer));
    expect(regreeted.size).toBe(150);
    for (let i = 0; i < N; i++) expect(regreeted.has(ext(i))).toBe(!replies(i));
    expect(await q(`SELECT status, reason, count(*)::int AS n FROM deliveries WHERE workspace_id = $1 AND step_id = 'regreet' GROUP BY 1, 2 ORDER BY 1`)).toEqual([
      { status: "sent", reason: null, n: 150 },
      { status: "skipped", reason: "condition", n: 50 },
    ]);

    // Day 1 09:00 steps, 10:00 slot: one 群发助手 task per staff member and content — 3 × 2 — for the 185 still in "new".
    const templates = fake.callsTo("/cgi-bin/externalcontact/add_msg_template").map((c) => c.body as AddMsgTemplateRequest);
    expect(templates).toHaveLength(6);
    expect(templates.map((c) => `${c.sender}:${c.text?.content}`).sort()).toEqual(
      STAFF.flatMap((s) => [`${s}:客户案例：某车主的试驾体验`, `${s}:本周试驾礼`]).sort(),
    );
    const inNew = [...Array(N).keys()].filter((i) => !buys(i) && !leavesDay0(i));
    expect(inNew).toHaveLength(185);
    for (const c of templates) {
      const expected = inNew.filter((i) => staffOf(i) === c.sender).map(ext).sort();
      expect([...c.external_userid!].sort()).toEqual(expected);
    }
    expect(feedAtNine).toEqual(STAFF.map((staff) => ({ staff, kind: "mass_send", n: 2 })));

    // Send results: sent, except the 4 who deleted their staff member before the confirmation.
    expect(await q(`SELECT status, provider_error, count(*)::int AS n FROM deliveries WHERE workspace_id = $1 AND step_id IN ('case', 'offer') GROUP BY 1, 2 ORDER BY 1`)).toEqual([
      { status: "failed", provider_error: "not-a-friend", n: 8 },
      { status: "sent", provider_error: null, n: 362 },
    ]);
    expect(await q(`SELECT m.status, t.status AS task, count(*)::int AS n FROM mass_sends m JOIN tasks t ON t.id = m.task_id WHERE m.workspace_id = $1 GROUP BY 1, 2`)).toEqual([{ status: "done", task: "done", n: 6 }]);
    expect(await q(`SELECT count(*)::int AS n FROM tasks WHERE workspace_id = $1 AND kind = 'chat'`)).toEqual([{ n: 0 }]);

    // The board: enrollments per stage, counted with SQL.
    expect(await q(`SELECT stage, count(*)::int AS n FROM enrollments WHERE workspace_id = $1 AND ended_at IS NULL GROUP BY stage ORDER BY stage`)).toEqual([
      { stage: "converted", n: 10 },
      { stage: "new", n: 181 },
    ]);
    expect(await q(`SELECT count(*)::int AS n FROM enrollments WHERE workspace_id = $1 AND ended_at IS NOT NULL`)).toEqual([{ n: 9 }]);
    expect(await q(`SELECT name, count(*)::int AS n FROM events WHERE workspace_id = $1 GROUP BY name ORDER BY name`)).toEqual([
      { name: "add_external_contact", n: 200 },
      { name: "contact.deleted", n: 9 },
      { name: "del_follow_user", n: 9 },
      { name: "message.replied", n: 50 },
      { name: "order.paid", n: 10 },
    ]);
  });
});
