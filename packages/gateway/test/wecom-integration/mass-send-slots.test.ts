// 群发助手 in daily send slots (issue 15, point 2): one task per staff member and distinct content per
// slot whatever the step's timing (`after:` or `day/at`), slots as a workspace setting, a step
// recorded after its slot's task was made goes to the next slot (never a second task in one slot).
import type { JourneyDefinition } from "@sopline/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AddMsgTemplateRequest } from "../../src/channels/wecom/types.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { enrollCustomers } from "../../src/engine/enroll.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { createScheduler } from "../../src/engine/scheduler.js";
import { createMassSendWorker } from "../../src/wecom-integration/index.js";
import { checkBudget, massSendSettingsIssues, slotAt } from "../../src/wecom-integration/mass-send/slots.js";
import { stepWindowSlots } from "../../src/wecom-integration/mass-send/step-slots.js";
import { SH } from "../engine/fixtures.js";
import { CORP, createEnv, one, seedWeComWorkspace } from "./helpers.js";

const MIN = 60_000;
const sh = (local: string) => Date.parse(`${local.replace(" ", "T")}:00+08:00`);
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const paced: JourneyDefinition = {
  id: "paced", version: 1, timezone: SH, entry: "new",
  stages: [{
    id: "new",
    sop: [
      { id: "tip", after: "2h", channel: "private_chat", delivery: "mass_send", content: "offer-1" },
      { id: "case", day: 1, at: "08:00", channel: "private_chat", delivery: "mass_send", content: "case-1" },
    ],
  }],
};

/** Only the day-1 08:00 step. */
const daily: JourneyDefinition = { ...paced, id: "daily", stages: [{ id: "new", sop: [paced.stages[0]!.sop![1]!] }] };

describe("slots and budgets (pure)", () => {
  it("the first slot at or after a time, in the slots' zone", () => {
    const slots = ["10:00", "20:00"];
    expect(slotAt(sh("2026-11-23 09:59"), slots, SH)).toBe(sh("2026-11-23 10:00"));
    expect(slotAt(sh("2026-11-23 10:00"), slots, SH)).toBe(sh("2026-11-23 10:00"));
    expect(slotAt(sh("2026-11-23 10:01"), slots, SH)).toBe(sh("2026-11-23 20:00"));
    expect(slotAt(sh("2026-11-23 23:30"), slots, SH)).toBe(sh("2026-11-24 10:00"));
    // a zone with daylight saving: 10:00 local on both sides of the change
    expect(new Date(slotAt(Date.parse("2026-03-08T05:00:00Z"), ["10:00"], "America/New_York")).toISOString()).toBe("2026-03-08T14:00:00.000Z");
    expect(new Date(slotAt(Date.parse("2026-03-07T16:00:00Z"), ["10:00"], "America/New_York")).toISOString()).toBe("2026-03-08T14:00:00.000Z");
  });

  it("a step's own window gives its slots: the openings, plus the workspace's slots inside it", () => {
    expect(stepWindowSlots({ from: "08:00", to: "09:00" }, ["10:00", "20:00"])).toEqual(["08:00"]);
    expect(stepWindowSlots({ from: "18:00", to: "21:00" }, ["10:00", "20:00"])).toEqual(["18:00", "20:00"]);
    expect(stepWindowSlots([{ from: "07:30", to: "08:30" }, { from: "21:00", to: "01:00" }], ["10:00", "00:30"])).toEqual(["00:30", "07:30", "21:00"]);
    // none, or one per audience: the workspace's slots
    expect(stepWindowSlots(undefined, ["10:00"])).toBeNull();
    expect(stepWindowSlots({ byAttribute: "role", cases: { boss: { from: "07:00", to: "08:00" } } }, ["10:00"])).toBeNull();
  });

  it("the budget: 1 a day by default, at most the month's days a month, the next period when used", () => {
    const at = sh("2026-02-10 10:00");
    expect(checkBudget(new Map(), at)).toEqual({ ok: true });
    expect(checkBudget(new Map([["2026-02-10", 1]]), at)).toMatchObject({ ok: false, retryAt: sh("2026-02-11 00:00") });
    expect(checkBudget(new Map([["2026-02-09", 1]]), at, { perWeek: 1 })).toMatchObject({ ok: false, retryAt: sh("2026-02-16 00:00") });
    const february = new Map([...Array(28).keys()].map((d) => [`2026-02-${String(d + 1).padStart(2, "0")}`, d === 9 ? 0 : 1]));
    expect(checkBudget(february, at, { perDay: 2 })).toEqual({ ok: true }); // 27 of February's 28
    expect(checkBudget(february, at, { perDay: 2, perMonth: 27 })).toMatchObject({ ok: false, retryAt: sh("2026-03-01 00:00") });
    expect(massSendSettingsIssues({ slots: [], budget: { perMonth: 40 } })).toEqual([
      "massSend.slots: between 1 and 24 times of day, got 0",
      "massSend.budget.perMonth: an integer from 1 to 31 (WeCom allows at most the month's days a month), got 40",
    ]);
  });
});

describe.each(["pglite", "postgres"] as const)("send slots on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("after:-timed and day/at 群发 steps: one task per staff member and content per slot, however spread the customers' times", async () => {
    const env = createEnv(server, new Date(sh("2026-11-23 10:00")));
    const s = await seedWeComWorkspace(t.db, [paced]);
    const scheduler = createScheduler({ db: t.db, registry: s.registry, clock: env.clock });
    const worker = createMassSendWorker({ db: t.db, api: env.clients.wecom!, clock: env.clock, workspaceIds: [s.workspaceId] });
    // amy's five new friends through the day: their "after 2h" tips fall due 12:05 … 19:30
    const adds = ["10:05", "11:00", "13:00", "15:00", "17:30"].map((hm) => sh(`2026-11-23 ${hm}`));
    const customers = await t.db.sql.query<{ id: string; ext: string }>(
      `INSERT INTO customers (workspace_id, external_id, wecom_external_user_id, staff_id) SELECT $1, 'p' || g, 'wmp' || g, $2 FROM generate_series(1, 5) g RETURNING id, wecom_external_user_id AS ext`,
      [s.workspaceId, s.staff[0]],
    );
    for (const c of customers) env.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: c.ext, withWelcomeCode: false });
    for (let at = sh("2026-11-23 10:00"); at <= sh("2026-11-24 11:00"); at += 5 * MIN) {
      env.now.t = at;
      const due = adds.flatMap((a, i) => (a > at - 5 * MIN && a <= at ? [customers[i]!] : []));
      if (due.length) await t.db.sql.transaction((tx) => enrollCustomers(tx, s.registry, due.map((c) => ({ workspaceId: s.workspaceId, customer: { id: c.id }, journeyKey: "paced", staffId: s.staff[0]! })), new Date(at), emptyNotices()));
      await scheduler.runOnce(new Date(at));
      await worker.runOnce(new Date(at));
    }
    const calls = env.fake.callsTo("/cgi-bin/externalcontact/add_msg_template").map((c) => c.body as AddMsgTemplateRequest);
    expect(calls.map((c) => [c.text?.content, c.external_userid!.length])).toEqual([["本周试驾礼", 5], ["客户案例：某车主的试驾体验", 5]]);
    const tasks = await t.db.sql.query<{ content: string; due_at: Date }>(`SELECT content, due_at FROM tasks WHERE workspace_id = $1 ORDER BY due_at`, [s.workspaceId]);
    expect(tasks.map((x) => [x.content, x.due_at.getTime()])).toEqual([["offer-1", sh("2026-11-23 20:00")], ["case-1", sh("2026-11-24 10:00")]]);
  });

  it("slots are a workspace setting; a step recorded after its slot's task was made waits for the next slot", async () => {
    const env = createEnv(server, new Date(sh("2026-11-23 08:00")));
    const s = await seedWeComWorkspace(t.db, [daily]);
    await t.db.sql.execute(`UPDATE workspaces SET settings = '{"massSend":{"slots":["09:00","18:00"]}}'::jsonb WHERE id = $1`, [s.workspaceId]);
    const scheduler = createScheduler({ db: t.db, registry: s.registry, clock: env.clock });
    const worker = createMassSendWorker({ db: t.db, api: env.clients.wecom!, clock: env.clock, workspaceIds: [s.workspaceId] });
    for (const ext of ["wmq1", "wmq2"]) env.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: ext, withWelcomeCode: false });
    const [a, b] = await t.db.sql.query<{ id: string }>(
      `INSERT INTO customers (workspace_id, external_id, wecom_external_user_id, staff_id) SELECT $1, 'q' || g, 'wmq' || g, $2 FROM generate_series(1, 2) g RETURNING id`,
      [s.workspaceId, s.staff[0]],
    );
    const enroll = (c: { id: string }, at: number) => t.db.sql.transaction((tx) => enrollCustomers(tx, s.registry, [{ workspaceId: s.workspaceId, customer: { id: c.id }, journeyKey: "daily", staffId: s.staff[0]! }], new Date(at), emptyNotices()));
    await enroll(a!, sh("2026-11-22 10:00")); // day 1 08:00 "case" → the 09:00 slot
    await scheduler.runOnce(new Date(sh("2026-11-23 08:30")));
    expect(await worker.runOnce(new Date(sh("2026-11-23 08:30")))).toMatchObject({ created: 0, waiting: 1 });
    expect(await worker.runOnce(new Date(sh("2026-11-23 09:01")))).toMatchObject({ created: 1, customers: 1 });
    // b's step is due at the same 08:00 but recorded only now (a lagging scheduler): not a second task at 09:00
    await enroll(b!, sh("2026-11-22 10:00"));
    await scheduler.runOnce(new Date(sh("2026-11-23 09:02")));
    expect(await worker.runOnce(new Date(sh("2026-11-23 09:03")))).toMatchObject({ created: 0, waiting: 1 });
    expect(await one(t.db, `SELECT next_attempt_at, reason FROM deliveries WHERE customer_id = $1 AND step_id = 'case'`, [b!.id])).toMatchObject({ reason: expect.stringMatching(/already created; next slot/) });
    expect(await worker.runOnce(new Date(sh("2026-11-23 18:01")))).toMatchObject({ created: 1, customers: 1 });
    const tasks = await t.db.sql.query<{ due_at: Date }>(`SELECT due_at FROM tasks WHERE workspace_id = $1 AND kind = 'mass_send' ORDER BY due_at`, [s.workspaceId]);
    expect(tasks.map((x) => x.due_at.getTime())).toEqual([sh("2026-11-23 09:00"), sh("2026-11-23 18:00")]);
  });
  it("a step with its own window goes out at the window's opening, not the workspace's slot; a staff member's own zone places their slots", async () => {
    const windowed: JourneyDefinition = {
      ...daily, id: "windowed",
      stages: [{ id: "new", sop: [
        { id: "morning", day: 1, at: "07:00", window: { from: "07:30", to: "08:30" }, channel: "private_chat", delivery: "mass_send", content: "case-1" },
        { id: "plain", day: 1, at: "07:00", channel: "private_chat", delivery: "mass_send", content: "offer-1" },
      ] }],
    };
    const env = createEnv(server, new Date(sh("2026-11-23 07:00")));
    const s = await seedWeComWorkspace(t.db, [windowed]);
    // bob works from Tokyo (an hour ahead): his 10:00 slot is 09:00 in Shanghai
    await t.db.sql.execute(`UPDATE staff SET timezone = 'Asia/Tokyo' WHERE id = $1`, [s.staff[1]]);
    const scheduler = createScheduler({ db: t.db, registry: s.registry, clock: env.clock });
    const worker = createMassSendWorker({ db: t.db, api: env.clients.wecom!, clock: env.clock, workspaceIds: [s.workspaceId], budget: { perDay: 2 } });
    const [a, b] = await t.db.sql.query<{ id: string }>(
      `INSERT INTO customers (workspace_id, external_id, wecom_external_user_id, staff_id) SELECT $1, 'w' || g, 'wmw' || g, NULL FROM generate_series(1, 2) g RETURNING id`,
      [s.workspaceId],
    );
    env.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmw1", withWelcomeCode: false });
    env.fake.addExternalContact(CORP.corpId, { userId: "bob", externalUserId: "wmw2", withWelcomeCode: false });
    await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, s.registry, [{ workspaceId: s.workspaceId, customer: { id: a!.id }, journeyKey: "windowed", staffId: s.staff[0]! }, { workspaceId: s.workspaceId, customer: { id: b!.id }, journeyKey: "windowed", staffId: s.staff[1]! }], new Date(sh("2026-11-22 12:00")), emptyNotices()),
    );
    for (let at = sh("2026-11-23 07:00"); at <= sh("2026-11-23 11:00"); at += 5 * MIN) {
      env.now.t = at;
      await scheduler.runOnce(new Date(at));
      await worker.runOnce(new Date(at));
    }
    const tasks = await t.db.sql.query<{ staff_id: string; content: string; due_at: Date }>(`SELECT staff_id, content, due_at FROM tasks WHERE workspace_id = $1 AND kind = 'mass_send' ORDER BY due_at, staff_id`, [s.workspaceId]);
    const who = (id: string) => (id === s.staff[0] ? "amy" : "bob");
    // staff ids are random: order ties by the staff member's name, not by id
    const rows = tasks.map((x) => [who(x.staff_id), x.content, x.due_at.getTime()] as const).sort((x, y) => x[2] - y[2] || x[0].localeCompare(y[0]));
    expect(rows).toEqual([
      // the windowed step at its window's opening, in the customers' zone (the window's), whoever sends it
      ["amy", "case-1", sh("2026-11-23 07:30")],
      ["bob", "case-1", sh("2026-11-23 07:30")],
      ["bob", "offer-1", sh("2026-11-23 09:00")],
      ["amy", "offer-1", sh("2026-11-23 10:00")],
    ]);
  });
});
