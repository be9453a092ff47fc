// Issue 15, point 9 — proof: a real-shaped month of a WeCom account, driven by an injected clock
// (nothing sleeps), on PostgreSQL. 2 staff, 20 friend-adds a day for 30 days; some reply, some
// delete their staff member; a new version is published mid-month with migration (adds a step); one
// step is paused for two days; a holiday of the workspace's calendar; a workspace marketing cap.
// The workers run every hour; then the month is checked against what operators ask of it.
import { type JourneyDefinition, defineJourney } from "@sopline/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace } from "../../src/auth/index.js";
import type { AddMsgTemplateRequest } from "../../src/channels/wecom/types.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { createAdapterRegistry, createDeliveryWorker } from "../../src/delivery/index.js";
import { JourneyRegistry } from "../../src/engine/journey-registry.js";
import { migrateInFlight } from "../../src/engine/migrate-in-flight.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { createScheduler } from "../../src/engine/scheduler.js";
import { ingestEvents } from "../../src/events/ingest.js";
import { type Gateway, createGateway } from "../../src/server/create-gateway.js";
import { createMassSendWorker, createMomentsAdapter, createMomentsWorker, createWeComCallbackHandler } from "../../src/wecom-integration/index.js";
import { SH } from "../engine/fixtures.js";
import { UPSERT_JOURNEY } from "../graphql/helpers.js";
import { CALLBACK_URL, CONTENT, CORP, createEnv } from "./helpers.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const DAY0 = Date.parse("2026-12-01T00:00:00Z"); // Tuesday 1 December, 08:00 in Shanghai
const DAYS = 30;
const END = DAY0 + DAYS * DAY;
const PER_DAY = 20;
const STAFF = ["amy", "bob"] as const;
const CAP_PER_DAY = 1;
const SH_OFFSET = 8 * HOUR;
const localDay = (ms: number) => new Date(ms + SH_OFFSET).toISOString().slice(0, 10);
const localMinutes = (ms: number) => Math.floor(((ms + SH_OFFSET) % DAY) / MIN);

const PUBLISH_AT = DAY0 + 14 * DAY + 30 * MIN; // 15 December 08:30: day 14 10:00 still ahead for the first day's customers
const PAUSE_AT = DAY0 + 4 * DAY + 4 * HOUR; // 5 December 12:00
const RESUME_AT = PAUSE_AT + 2 * DAY;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const v1: JourneyDefinition = {
  id: "wecom-month", version: 1, timezone: SH, entry: "new",
  stages: [
    {
      id: "new",
      window: { from: "08:00", to: "21:00" },
      sop: [
        { id: "greet", after: "0m", channel: "private_chat", content: "welcome", kind: "service" },
        { id: "offer", day: 1, at: "09:00", channel: "private_chat", delivery: "mass_send", content: "offer-1" },
        { id: "post", day: 1, at: "20:00", channel: "moments", content: "m-car" },
        { id: "call", day: 2, at: "11:00", channel: "private_chat", mode: "task", content: "case-1", title: "聊聊试驾体验" },
        { id: "weekly", day: 3, at: "10:00", channel: "private_chat", delivery: "mass_send", content: "weekly", repeat: { every: "7d", times: 4 } },
        { id: "anniv", holiday: "store-anniversary", at: "10:00", channel: "private_chat", delivery: "mass_send", content: "anniv" },
      ],
    },
    { id: "replied", sop: [{ id: "followup", after: "1h", channel: "private_chat", mode: "task", content: "case-1", title: "回复客户" }] },
  ],
  transitions: [{ from: "new", to: "replied", on: "message.replied" }],
};
// v2 adds a guide on day 14: still ahead for everyone in "new" on 15 December.
const v2: JourneyDefinition = {
  ...v1, version: 2,
  stages: v1.stages.map((s) => (s.id === "new" ? { ...s, sop: [...s.sop!, { id: "guide", day: 14, at: "10:00", channel: "private_chat", delivery: "mass_send", content: "guide" }] } : s)),
};

const MORE_CONTENT: Record<string, unknown> = {
  "m-car": { moment: { text: "新车到店，欢迎试驾" } },
  weekly: { text: "本周精选" },
  anniv: { text: "店庆快乐，到店有礼" },
  guide: { text: "选购指南第二版" },
};

describe("a month of a WeCom account on postgres", () => {
  let t: TestDatabase;
  let gateway: Gateway;
  const env = createEnv(server, new Date(DAY0));
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    gateway = await createGateway({ db: t.db, clock: env.clock, adminKey: "sk_test_month_proof_key", wecom: CORP });
  });
  afterAll(async () => {
    await gateway?.stop();
    await t?.drop();
  });

  it("runs 600 friend-adds through a month: slots, Moments calendar, chat tasks, cap, windows, migration, pause, holiday, deletions", async () => {
    server.use(...env.fake.handlers);
    const { now, clock, fake, clients } = env;
    const ws = await createWorkspace(t.db.sql, { name: "month" });
    const api = async (query: string, variables?: Record<string, unknown>) => {
      const res = await gateway.yoga.fetch("http://yoga/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", authorization: `Bearer ${ws.apiKey}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
    };
    const ok = async (query: string, variables?: Record<string, unknown>) => {
      const r = await api(query, variables);
      if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
      return r.data;
    };
    const q = <T = Record<string, unknown>>(text: string, params: unknown[] = [ws.id]) => t.db.sql.query<T>(text, params);
    const workspaceId = ws.id;

    for (const s of STAFF) await ok(`mutation($i: StaffInput!) { upsertStaff(input: $i) { id } }`, { i: { externalId: s, name: s } });
    for (const [ref, body] of Object.entries({ ...CONTENT, ...MORE_CONTENT })) {
      await t.db.sql.execute(`INSERT INTO contents (workspace_id, ref, title, body, type) VALUES ($1, $2, $2, $3::jsonb, 'greeting')`, [workspaceId, ref, JSON.stringify(body)]);
    }
    await ok(`mutation { updateWorkspaceSettings(timezone: "Asia/Shanghai", marketingTouchesPerDay: ${CAP_PER_DAY}) { timezone } }`);
    await ok(`mutation($i: HolidayCalendarInput!) { upsertHolidayCalendar(input: $i) { revision } }`, { i: { holidays: [{ name: "store-anniversary", dates: ["2026-12-18"] }] } });
    await ok(UPSERT_JOURNEY, { d: v1 });

    const registry = new JourneyRegistry();
    const handler = createWeComCallbackHandler({ db: t.db, registry, workspaceId, corp: CORP, api: clients.wecom!, clock, defaultJourney: v1.id });
    const scheduler = createScheduler({ db: t.db, registry, clock });
    const deliveries = createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([createMomentsAdapter({ db: t.db })]), clock, workspaceIds: [workspaceId] });
    const massSend = createMassSendWorker({ db: t.db, api: clients.wecom!, clock, workspaceIds: [workspaceId], pollIntervalMs: 30 * MIN, budget: { perDay: 2 } });
    const moments = createMomentsWorker({ db: t.db, api: clients.wecom!, clock, workspaceIds: [workspaceId] });

    // The month's happenings.
    const ext = (d: number, i: number) => `wm${String(d).padStart(2, "0")}x${String(i).padStart(2, "0")}`;
    const staffOf = (i: number) => STAFF[i % 2]!;
    const replies = (i: number) => i % 5 === 1; // 4 a day
    const leaves = (d: number, i: number) => i % 10 === 7 && d % 3 === 0; // 2 every third day, 2 days after the add
    type Action = { at: number; run: () => Promise<void> };
    const actions: Action[] = [];
    const post = async (req: Request) => expect(await (await handler(req)).text()).toBe("success");
    const deletedAt = new Map<string, number>();
    for (let d = 0; d < DAYS; d++) {
      for (let i = 0; i < PER_DAY; i++) {
        const at = DAY0 + d * DAY + i * 36 * MIN; // 08:00–19:24
        const who = ext(d, i);
        actions.push({
          at,
          run: async () => {
            await post(fake.addExternalContact(CORP.corpId, { userId: staffOf(i), externalUserId: who, state: "qr-store", withWelcomeCode: true }).request(CALLBACK_URL));
            now.t += 2_000;
            await handler.drain();
          },
        });
        if (replies(i)) {
          actions.push({
            at: at + HOUR,
            run: async () => {
              const r = await ingestEvents(t.db, registry, workspaceId, [{ id: `reply-${who}`, customer: who, customerIdKind: "wecom", name: "message.replied", at: clock() }], clock(), emptyNotices());
              expect(r.accepted).toBe(1);
            },
          });
        }
        if (leaves(d, i)) {
          actions.push({
            at: at + 2 * DAY + 3 * HOUR,
            run: async () => {
              deletedAt.set(who, now.t);
              await post(fake.customerDeletesStaff(CORP.corpId, { userId: staffOf(i), externalUserId: who }).request(CALLBACK_URL));
              await handler.drain();
            },
          });
        }
      }
    }
    const migrated: string[] = [];
    let pauseState: unknown[] = [];
    // tasks.created_at is the database's time, not the injected clock: count the call tasks instead
    const callTasks = async () => (await q<{ n: number }>(`SELECT count(*)::int AS n FROM tasks t JOIN deliveries d ON d.key = t.delivery_key WHERE t.workspace_id = $1 AND d.step_id = 'call'`))[0]!.n;
    let callTasksAtPause = -1;
    let callTasksAtResume = -2;
    actions.push({
      at: PAUSE_AT,
      run: async () => {
        expect((await ok(`mutation { pauseJourney(journeyKey: "wecom-month", stepId: "call") { changed } }`)).pauseJourney.changed).toBe(true);
        callTasksAtPause = await callTasks();
        // bad input: an unknown step is refused and changes nothing
        pauseState = await q(`SELECT journey_key, step_id FROM journey_pauses WHERE workspace_id = $1`);
        const bad = await api(`mutation { pauseJourney(journeyKey: "wecom-month", stepId: "nope") { changed } }`);
        expect(bad.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
        expect(bad.errors?.[0]?.message).toContain("nope");
        expect(await q(`SELECT journey_key, step_id FROM journey_pauses WHERE workspace_id = $1`)).toEqual(pauseState);
      },
    });
    let heldBeforeResume = 0;
    let released = 0;
    actions.push({
      at: RESUME_AT,
      run: async () => {
        // two days of "call" steps fell due while paused: held, not turned into tasks
        callTasksAtResume = await callTasks();
        heldBeforeResume = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE workspace_id = $1 AND status = 'held' AND step_id = 'call'`))[0]!.n;
        expect(await q(`SELECT count(*)::int AS n FROM deliveries WHERE workspace_id = $1 AND status = 'held' AND step_id <> 'call'`)).toEqual([{ n: 0 }]);
        const r = (await ok(`mutation { resumeJourney(journeyKey: "wecom-month", stepId: "call") { changed steps } }`)).resumeJourney;
        expect(r.changed).toBe(true);
        released = r.steps;
      },
    });
    let board: Array<{ staff: { externalId: string }; chat: number }> = [];
    actions.push({ at: DAY0 + 9 * DAY + 4 * HOUR, run: async () => void (board = (await ok(`{ board { staff { staff { externalId } chat } } }`)).board.staff) });
    actions.push({
      at: PUBLISH_AT,
      run: async () => {
        const rows = await q<{ customer: string }>(`SELECT c.wecom_external_user_id AS customer FROM enrollments e JOIN customers c ON c.id = e.customer_id WHERE e.workspace_id = $1 AND e.ended_at IS NULL AND e.stage = 'new'`);
        migrated.push(...rows.map((r) => r.customer));
        const r = await ok(`mutation($d: JSON!) { upsertJourney(definition: $d, migrate: true) { created journey { version } migration { customers newSteps { stage stepId customers } } } }`, { d: v2 });
        expect(r.upsertJourney.journey.version).toBe(2);
        expect(r.upsertJourney.migration.newSteps).toEqual([{ stage: "new", stepId: "guide", customers: migrated.length }]);
      },
    });
    actions.sort((a, b) => a.at - b.at);

    // Drive the clock: happenings at their time, the workers every hour.
    const confirmed = new Set<string>();
    const templateAt: Array<{ at: number; req: AddMsgTemplateRequest }> = [];
    let seen = 0;
    let next = 0;
    const started = Date.now();
    for (let tick = DAY0; tick <= END; tick += HOUR) {
      while (next < actions.length && actions[next]!.at <= tick) {
        const action = actions[next++]!;
        now.t = Math.max(now.t, action.at);
        await action.run();
      }
      now.t = Math.max(now.t, tick);
      await scheduler.runOnce(clock());
      await deliveries.runOnce(clock());
      await massSend.runOnce(clock());
      await moments.runOnce(clock());
      const calls = fake.callsTo("/cgi-bin/externalcontact/add_msg_template");
      for (; seen < calls.length; seen++) templateAt.push({ at: now.t, req: calls[seen]!.body as AddMsgTemplateRequest });
      // staff confirm their 群发助手 tasks within the hour
      for (const task of fake.tasks.values()) if (!confirmed.has(task.msgid)) (confirmed.add(task.msgid), fake.confirmTask(task.msgid));
    }
    expect(next).toBe(actions.length);
    console.log(`month driven in ${Date.now() - started} ms`);

    expect(await q(`SELECT count(*)::int AS customers, count(DISTINCT staff_id)::int AS staff FROM customers WHERE workspace_id = $1`)).toEqual([{ customers: DAYS * PER_DAY, staff: 2 }]);
    expect(fake.welcomeSent).toHaveLength(DAYS * PER_DAY);

    // 群发助手: confirmations per staff member per local day stay few (slots 10:00 / 20:00, one task per content).
    const perStaffDay = await q<{ sender: string; day: string; n: number }>(
      `SELECT sender, to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, count(*)::int AS n FROM mass_sends WHERE workspace_id = $1 GROUP BY 1, 2 ORDER BY n DESC`,
    );
    expect(perStaffDay.length).toBeGreaterThan(DAYS);
    expect(perStaffDay[0]!.n).toBeLessThanOrEqual(4);
    expect(await q(`SELECT status, count(*)::int AS n FROM mass_sends WHERE workspace_id = $1 GROUP BY 1`)).toEqual([{ status: "done", n: perStaffDay.reduce((s, r) => s + r.n, 0) }]);

    // Moments: a calendar per staff member, never the same content twice within 7 days.
    const posts = await q<{ sender: string; content: string; posted_at: Date }>(`SELECT sender, content, posted_at FROM moment_posts WHERE workspace_id = $1 AND status = 'posted' ORDER BY sender, content, posted_at`);
    expect(new Set(posts.map((p) => p.sender))).toEqual(new Set(STAFF));
    for (let k = 1; k < posts.length; k++) {
      const [a, b] = [posts[k - 1]!, posts[k]!];
      if (a.sender === b.sender && a.content === b.content) expect(b.posted_at.getTime() - a.posted_at.getTime()).toBeGreaterThanOrEqual(7 * DAY);
    }
    expect(posts.length).toBeLessThanOrEqual(2 * Math.ceil(DAYS / 7) + 2);
    expect(fake.moments).toHaveLength(posts.length);

    // Chat tasks for the chat steps (today's chat opportunities), none turned into a 群发.
    const chat = await q<{ step_id: string; n: number }>(`SELECT d.step_id, count(*)::int AS n FROM tasks t JOIN deliveries d ON d.key = t.delivery_key WHERE t.workspace_id = $1 AND t.kind = 'chat' GROUP BY 1 ORDER BY 1`);
    expect(chat.map((c) => c.step_id)).toEqual(["call", "followup"]);
    expect(await q(`SELECT count(*)::int AS n FROM mass_sends WHERE workspace_id = $1 AND step_id IN ('call', 'followup')`)).toEqual([{ n: 0 }]);
    // the board's chat opportunities on 10 December (today's chat tasks per staff member)
    expect(board.map((b) => b.staff.externalId).sort()).toEqual([...STAFF]);
    for (const b of board) expect(b.chat).toBeGreaterThan(0);

    // The workspace cap: no customer gets more marketing touches in a local day than the cap.
    // Every touch is counted at the local day it reaches the customer (a 群发 when confirmed, a task when due).
    const touches = await q<{ customer_id: string; day: string; n: number; steps: string; released: boolean }>(
      `SELECT customer_id, to_char(coalesce(sent_at, due_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, count(*)::int AS n,
              string_agg(step_id, ',' ORDER BY step_id) AS steps,
              bool_or(step_id = 'call' AND due_at >= $2 AND due_at < $3) AS released
       FROM deliveries WHERE workspace_id = $1 AND step_id <> 'greet' AND status IN ('sent', 'pending', 'due', 'sending', 'task')
       GROUP BY 1, 2 HAVING count(*) > $4`,
      [workspaceId, new Date(PAUSE_AT), new Date(RESUME_AT), CAP_PER_DAY],
    );
    // Steps a pause held are placed under the cap when the resume releases them, like any touch.
    expect(touches.map((r) => `${r.customer_id} ${r.day} ${r.steps}`)).toEqual([]);
    // No automatic delivery due outside its window (08:00–21:00).
    const outside = (await q<{ key: string; due_at: Date }>(`SELECT key, due_at FROM deliveries WHERE workspace_id = $1 AND mode IN ('auto', 'mass_send') AND stage = 'new'`)).filter(
      (r) => localMinutes(r.due_at.getTime()) < 8 * 60 || localMinutes(r.due_at.getTime()) > 21 * 60,
    );
    expect(outside).toEqual([]);
    // 群发 templates created only in the daytime slots
    for (const c of templateAt) expect(localMinutes(c.at)).toBeGreaterThanOrEqual(8 * 60);

    // Migration: every migrated customer still a friend gets the new step exactly once.
    expect(migrated.length).toBeGreaterThan(100);
    const guide = await q<{ customer: string; n: number; statuses: string }>(
      `SELECT c.wecom_external_user_id AS customer, count(*)::int AS n, string_agg(d.status, ',') AS statuses FROM deliveries d JOIN customers c ON c.id = d.customer_id WHERE d.workspace_id = $1 AND d.step_id = 'guide' GROUP BY 1`,
    );
    const byCustomer = new Map(guide.map((g) => [g.customer, g]));
    for (const c of migrated) {
      if (deletedAt.has(c)) continue;
      expect(byCustomer.get(c), c).toMatchObject({ n: 1, statuses: "sent" });
    }
    for (const g of guide) expect(g.n).toBe(1);

    // Pause: the paused chat step was held for two days, released once on resume, none lost or doubled.
    expect(heldBeforeResume).toBeGreaterThan(0);
    expect(released).toBe(heldBeforeResume);
    expect(await q(`SELECT count(*)::int AS n FROM deliveries WHERE workspace_id = $1 AND status = 'held'`)).toEqual([{ n: 0 }]);
    expect(callTasksAtResume).toBe(callTasksAtPause);
    // Holiday: the anniversary 群发 falls due on 18 December; under the cap of 1 a day, customers who had
    // another touch that day get it on the next openings (deferred, never dropped), once each.
    const anniv = await q<{ day: string; n: number }>(`SELECT to_char(due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, count(*)::int AS n FROM deliveries WHERE workspace_id = $1 AND step_id = 'anniv' AND status = 'sent' GROUP BY 1 ORDER BY 1`);
    expect(anniv[0]!.day).toBe("2026-12-18");
    for (const a of anniv) expect(["2026-12-18", "2026-12-19", "2026-12-20"]).toContain(a.day);
    expect(await q(`SELECT enrollment_id FROM deliveries WHERE workspace_id = $1 AND step_id = 'anniv' GROUP BY 1 HAVING count(*) > 1`)).toEqual([]);
    // not sent only where the customer had deleted their staff member
    for (const r of await q<{ status: string; reason: string | null }>(`SELECT DISTINCT status, reason FROM deliveries WHERE workspace_id = $1 AND step_id = 'anniv'`)) {
      if (r.status !== "sent") expect(r).toMatchObject({ status: "skipped", reason: expect.stringMatching(/^contact deleted/) });
    }
    const annivSlots = templateAt.filter((c) => c.req.text?.content === "店庆快乐，到店有礼").map((c) => localDay(c.at));
    expect(annivSlots.slice(0, 2)).toEqual(["2026-12-18", "2026-12-18"]);
    // the cap binds in this month: some touches were deferred
    expect((await q<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE workspace_id = $1 AND reason = 'capped'`))[0]!.n).toBeGreaterThan(0);

    // Zero duplicates: by key (primary key) and by enrollment, step and visit (the key's occurrence part).
    expect(await q(`SELECT key FROM deliveries WHERE workspace_id = $1 GROUP BY key HAVING count(*) > 1`)).toEqual([]);
    expect(await q(`SELECT enrollment_id, step_id, due_at FROM deliveries WHERE workspace_id = $1 AND status <> 'skipped' GROUP BY 1, 2, 3 HAVING count(*) > 1`)).toEqual([]);
    expect(await q(`SELECT enrollment_id, step_id, count(*)::int AS n FROM deliveries WHERE workspace_id = $1 AND step_id NOT IN ('weekly', 'anniv') GROUP BY 1, 2 HAVING count(*) > 1`)).toEqual([]);

    // Deletions: no WeCom-channel step reaches a customer after they deleted their staff member.
    expect(deletedAt.size).toBe(20);
    const lateSends = await q<{ customer: string; step_id: string; sent_at: Date }>(
      `SELECT c.wecom_external_user_id AS customer, d.step_id, d.sent_at FROM deliveries d JOIN customers c ON c.id = d.customer_id
       WHERE d.workspace_id = $1 AND d.status = 'sent' AND d.channel IN ('private_chat', 'moments')`,
    );
    for (const r of lateSends) if (deletedAt.has(r.customer)) expect(r.sent_at.getTime(), `${r.customer} ${r.step_id}`).toBeLessThanOrEqual(deletedAt.get(r.customer)!);
    for (const c of templateAt) for (const who of c.req.external_userid ?? []) if (deletedAt.has(who)) expect(c.at).toBeLessThan(deletedAt.get(who)!);
    expect(await q(`SELECT count(*)::int AS n FROM tasks t JOIN customers c ON c.id = t.customer_id WHERE t.workspace_id = $1 AND t.status = 'open' AND t.created_at > $2 AND c.wecom_external_user_id = ANY($3::text[])`, [workspaceId, new Date(DAY0), [...deletedAt.keys()]])).toEqual([{ n: 0 }]);

    // Bad input: each refused with a clear error, nothing changed.
    const journeysBefore = await q(`SELECT key, version FROM journeys WHERE workspace_id = $1 ORDER BY key, version`);
    const settingsBefore = await q(`SELECT settings FROM workspaces WHERE id = $1`);
    const enrollmentsBefore = await q(`SELECT id, journey_version, stage FROM enrollments WHERE workspace_id = $1 ORDER BY id`);
    const zeroCap = await api(`mutation { updateWorkspaceSettings(marketingTouchesPerDay: 0) { timezone } }`);
    expect(zeroCap.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(zeroCap.errors?.[0]?.message).toMatch(/marketingTouchesPerDay/);
    const unknownHoliday = await api(UPSERT_JOURNEY, { d: { ...v2, version: 3, stages: [{ ...v2.stages[0]!, sop: [...v2.stages[0]!.sop!, { id: "mid", holiday: "mid-autum", at: "10:00", channel: "moments", content: "m-car" }] }, v2.stages[1]!] } });
    expect(unknownHoliday.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(unknownHoliday.errors?.[0]?.extensions?.issues?.[0]).toMatchObject({ path: "stages[0].sop[7].holiday" });
    // A migration onto a journey with another id (the GraphQL API keys a publish by the definition's id,
    // so the service is called as the resolver would): refused before anything is written.
    const other = defineJourney({ ...v2, id: "another", version: 3, stages: [{ ...v2.stages[0]!, sop: v2.stages[0]!.sop!.filter((x) => x.id !== "anniv") }, v2.stages[1]!] });
    await expect(migrateInFlight(t.db, registry, { workspaceId, journeyKey: v1.id, to: other, at: clock() })).rejects.toThrow(/cannot migrate the customers of journey "wecom-month" to journey "another"/);
    expect(await q(`SELECT key, version FROM journeys WHERE workspace_id = $1 ORDER BY key, version`)).toEqual(journeysBefore);
    expect(await q(`SELECT settings FROM workspaces WHERE id = $1`)).toEqual(settingsBefore);
    expect(await q(`SELECT id, journey_version, stage FROM enrollments WHERE workspace_id = $1 ORDER BY id`)).toEqual(enrollmentsBefore);
  }, 180_000);
});
