import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENROLL, HOUR, type Harness, KINDS, DAY, START, type Tenant, UPSERT_JOURNEY, createHarness, errorCodes, ok, salesJourney } from "./helpers.js";

const BOARD = `query($j: String) { board(journeyKey: $j) { date timezone journeys { key version name customers stages { id name customers } } staff { staff { externalId } chat call overdueChat overdueCall } } }`;
const CUSTOMER = `query($id: ID!) { customer(id: $id) {
  externalId name tags staff { externalId }
  journeys { journeyKey journeyVersion stage stageName visit tags enteredAt
    pastSteps { stepId status channel dueAt contentEntry { ref } }
    upcomingSteps(days: 7) { stepId dueAt channel mode content contentEntry { title } } } } }`;

describe.each(KINDS)("customers, journeys and the board on %s", (kind) => {
  let h: Harness;
  let ws: Tenant;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let c0: string;
  let c1: string;

  beforeAll(async () => {
    h = await createHarness(kind);
    h.clock.now = START;
    ws = await h.workspace();
    alice = await ws.staff("alice", "sales");
    bob = await ws.staff("bob", "sales");
    ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
    ok(await ws.api(`mutation { upsertContent(input: { ref: "call-script", title: "Call script", type: "qa", body: { text: "hi" } }) { id } }`));
    ok(await ws.api(`mutation { upsertContent(input: { ref: "article-1", title: "Why private domain", type: "article", body: { text: "…" } }) { id } }`));
    c0 = ok(await ws.api(ENROLL, { c: "c0", j: "sales", s: alice.id, p: { name: "Zhang San", oaOpenId: "openid-c0" } })).enroll.customerId;
    c1 = ok(await ws.api(ENROLL, { c: "c1", j: "sales", s: bob.id })).enroll.customerId;
  });
  afterAll(() => h?.close());

  it("enroll creates the customer once and keeps an existing enrollment", async () => {
    const again = ok(await ws.api(ENROLL, { c: "c0", j: "sales", s: alice.id }));
    expect(again.enroll).toMatchObject({ customerId: c0, created: false });
    expect(errorCodes(await ws.api(ENROLL, { c: "c9", j: "no-such-journey" }))).toEqual(["NOT_FOUND"]);
    expect(errorCodes(await ws.api(ENROLL, { c: "c9", j: "sales", p: { timezone: "Mars/Olympus" } }))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await ws.api(ENROLL, { c: "c9", j: "sales", s: "no-such-staff" }))).toEqual(["NOT_FOUND"]);
  });

  it("customer(id) shows the journey with past steps (deliveries) and upcoming steps from the core's simulation", async () => {
    h.clock.now = START;
    const { customer } = ok(await ws.api(CUSTOMER, { id: c0 }));
    expect(customer).toMatchObject({ externalId: "c0", name: "Zhang San", tags: [], staff: { externalId: "alice" } });
    expect(customer.journeys).toHaveLength(1);
    const j = customer.journeys[0];
    expect(j).toMatchObject({ journeyKey: "sales", journeyVersion: 1, stage: "new", stageName: "新客 new", visit: 1, enteredAt: START.toISOString() });
    expect(j.pastSteps).toEqual([{ stepId: "hello", status: "task", channel: "PRIVATE_CHAT", dueAt: START.toISOString(), contentEntry: null }]);
    expect(j.upcomingSteps).toEqual([
      { stepId: "call", dueAt: "2026-11-24T01:30:00.000Z", channel: "CALL", mode: "task", content: "call-script", contentEntry: { title: "Call script" } },
      { stepId: "article", dueAt: "2026-11-25T02:00:00.000Z", channel: "OFFICIAL_ACCOUNT", mode: "auto", content: "article-1", contentEntry: { title: "Why private domain" } },
      { stepId: "case", dueAt: "2026-11-28T02:00:00.000Z", channel: "PRIVATE_CHAT", mode: "auto", content: "case-1", contentEntry: null },
    ]);
  });

  it("board: customers per stage per journey and today's chat / call opportunities per staff member", async () => {
    h.clock.now = START;
    const day0 = ok(await ws.api(BOARD)).board;
    expect(day0).toMatchObject({ date: "2026-11-23", timezone: "Asia/Shanghai" });
    expect(day0.journeys).toEqual([
      { key: "sales", version: 1, name: "Sales follow-up", customers: 2, stages: [{ id: "new", name: "新客 new", customers: 2 }, { id: "interested", name: "感兴趣 interested", customers: 0 }] },
    ]);
    expect(day0.staff).toEqual([
      { staff: { externalId: "alice" }, chat: 1, call: 0, overdueChat: 0, overdueCall: 0 },
      { staff: { externalId: "bob" }, chat: 1, call: 0, overdueChat: 0, overdueCall: 0 },
    ]);

    // Tuesday 10:00 Shanghai: the call tasks (09:30) fired; Monday's chats are now overdue
    h.clock.now = new Date(START.getTime() + DAY + HOUR);
    const stats = await h.gateway.scheduler.runOnce(h.clock.now);
    expect(stats.tasks).toBe(2);
    const day1 = ok(await ws.api(BOARD)).board;
    expect(day1.date).toBe("2026-11-24");
    expect(day1.staff).toEqual([
      { staff: { externalId: "alice" }, chat: 0, call: 1, overdueChat: 1, overdueCall: 0 },
      { staff: { externalId: "bob" }, chat: 0, call: 1, overdueChat: 1, overdueCall: 0 },
    ]);

    // "today" follows the workspace zone when set (Tuesday 10:00 Shanghai is still Monday in New York)
    ok(await ws.api(`mutation { updateWorkspaceSettings(timezone: "America/New_York") { timezone } }`));
    const ny = ok(await ws.api(BOARD)).board;
    expect(ny).toMatchObject({ date: "2026-11-23", timezone: "America/New_York" });
    expect(ny.staff[0]).toMatchObject({ chat: 0, call: 1, overdueChat: 1 }); // Monday 20:30 and Sunday 20:00 there
    ok(await ws.api(`mutation { updateWorkspaceSettings(timezone: "Asia/Shanghai") { timezone } }`));

    // a staff token's board counts only their own customers and tasks
    const mine = ok(await h.gql(alice.token, BOARD)).board;
    expect(mine.journeys[0].customers).toBe(1);
    expect(mine.staff).toEqual([{ staff: { externalId: "alice" }, chat: 0, call: 1, overdueChat: 1, overdueCall: 0 }]);
  });

  it("moveCustomer switches the stage (old steps stop, the new stage's SOP and tags start); customers() filters by journey and stage", async () => {
    h.clock.now = new Date(START.getTime() + DAY + 2 * HOUR);
    const moved = ok(await ws.api(`mutation($c: ID!) { moveCustomer(customerId: $c, journeyKey: "sales", to: "interested") { stage visit tags pastSteps(last: 1) { stepId } } }`, { c: c0 }));
    expect(moved.moveCustomer).toEqual({ stage: "interested", visit: 2, tags: ["mql"], pastSteps: [{ stepId: "trial" }] });
    const { customer } = ok(await ws.api(CUSTOMER, { id: c0 }));
    expect(customer.tags).toEqual(["mql"]);
    expect(customer.journeys[0].upcomingSteps).toEqual([]);

    const bad = await ws.api(`mutation($c: ID!) { moveCustomer(customerId: $c, journeyKey: "sales", to: "nowhere") { stage } }`, { c: c0 });
    expect(errorCodes(bad)).toEqual(["BAD_USER_INPUT"]);
    expect(bad.errors![0]!.message).toMatch(/unknown stage "nowhere"/);

    const q = `query($j: String, $s: String) { customers(journeyKey: $j, stage: $s) { totalCount edges { node { externalId } } } }`;
    expect(ok(await ws.api(q, { j: "sales", s: "interested" })).customers).toEqual({ totalCount: 1, edges: [{ node: { externalId: "c0" } }] });
    expect(ok(await ws.api(q, { j: "sales", s: "new" })).customers).toEqual({ totalCount: 1, edges: [{ node: { externalId: "c1" } }] });
    expect(ok(await ws.api(q, {})).customers.totalCount).toBe(2);
    const board = ok(await ws.api(BOARD, { j: "sales" })).board;
    expect(board.journeys[0].stages).toEqual([{ id: "new", name: "新客 new", customers: 1 }, { id: "interested", name: "感兴趣 interested", customers: 1 }]);
  });

  it("contentDue answers an official-account server: due, unsent deliveries for the customer (by external id or openid) and channel, with content", async () => {
    // c0 left "new" before its article; c1 gets it on day 2 at 10:00
    h.clock.now = new Date(START.getTime() + 2 * DAY + 2 * HOUR);
    await h.gateway.scheduler.runOnce(h.clock.now);
    const q = `query($c: String!, $ch: Channel!) { contentDue(customer: $c, channel: $ch) { id stepId dueAt status contentEntry { ref title body } } }`;
    const due = ok(await ws.api(q, { c: "c1", ch: "OFFICIAL_ACCOUNT" })).contentDue;
    expect(due).toEqual([{ id: expect.any(String), stepId: "article", dueAt: "2026-11-25T02:00:00.000Z", status: "due", contentEntry: { ref: "article-1", title: "Why private domain", body: { text: "…" } } }]);
    expect(ok(await ws.api(q, { c: "c1", ch: "PRIVATE_CHAT" })).contentDue).toEqual([]);
    expect(ok(await ws.api(q, { c: "openid-c0", ch: "PRIVATE_CHAT" })).contentDue).toEqual([expect.objectContaining({ stepId: "trial", status: "due" })]);

    const ack = ok(await ws.api(`mutation($ids: [ID!]!) { acknowledgeDeliveries(ids: $ids, status: SENT) }`, { ids: [due[0].id] }));
    expect(ack.acknowledgeDeliveries).toBe(1);
    expect(ok(await ws.api(q, { c: "c1", ch: "OFFICIAL_ACCOUNT" })).contentDue).toEqual([]);
    const other = await h.workspace();
    expect(ok(await other.api(q, { c: "c1", ch: "OFFICIAL_ACCOUNT" })).contentDue).toEqual([]);
    expect(ok(await other.api(`mutation($ids: [ID!]!) { acknowledgeDeliveries(ids: $ids, status: FAILED) }`, { ids: [due[0].id] })).acknowledgeDeliveries).toBe(0);
  });
  it("pastSteps lists each enrollment's own deliveries when one customer has two (one per staff member)", async () => {
    h.clock.now = START;
    const c7 = ok(await ws.api(ENROLL, { c: "c7", j: "sales", s: alice.id })).enroll.customerId;
    h.clock.now = new Date(START.getTime() + DAY + 2 * HOUR);
    expect(ok(await ws.api(ENROLL, { c: "c7", j: "sales", s: bob.id })).enroll).toMatchObject({ customerId: c7, created: true });
    await h.gateway.scheduler.runOnce(h.clock.now);
    const q = `query($id: ID!) { customer(id: $id) { journeys { staff { externalId } pastSteps { stepId dueAt } } } }`;
    const journeys = ok(await ws.api(q, { id: c7 })).customer.journeys;
    const of = (staff: string) => journeys.find((j: { staff: { externalId: string } }) => j.staff.externalId === staff).pastSteps;
    expect(of("alice")).toEqual([
      { stepId: "call", dueAt: "2026-11-24T01:30:00.000Z" },
      { stepId: "hello", dueAt: START.toISOString() },
    ]);
    expect(of("bob")).toEqual([{ stepId: "hello", dueAt: h.clock.now.toISOString() }]);
  });
  it("contentDue refuses a channel this gateway pushes itself (an adapter is registered), so no delivery is taken twice", async () => {
    const q = `query($c: String!, $ch: Channel!) { contentDue(customer: $c, channel: $ch) { id } }`;
    expect(ok(await ws.api(q, { c: "c1", ch: "SMS" })).contentDue).toEqual([]);
    h.gateway.channels.adapters.register({ channel: "sms", deliver: async () => ({ status: "sent" }) });
    const refused = await ws.api(q, { c: "c1", ch: "SMS" });
    expect(errorCodes(refused)).toEqual(["BAD_USER_INPUT"]);
    expect(refused.errors![0]!.message).toMatch(/sms deliveries are sent by this gateway's sms adapter/);
    // other channels are still served
    expect(ok(await ws.api(q, { c: "c1", ch: "OFFICIAL_ACCOUNT" })).contentDue).toEqual([]);
  });
});
