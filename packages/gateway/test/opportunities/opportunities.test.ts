import type { JourneyDefinition } from "@sopline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENROLL, HOUR, type Harness, KINDS, START, type Tenant, UPSERT_JOURNEY, createHarness, errorCodes, ok, salesJourney, subscribeSse } from "../graphql/helpers.js";

const MIN = 60_000;
const INGEST = `mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted rejected { message } } }`;
const OPP = "customerName kind intent signal signals content waitingSince waitingMinutes overdue";
const BOARD = `{ board { staff { staff { externalId leadId } chatOpportunities { ${OPP} } callOpportunities { ${OPP} } chatOpportunityCount escalated { customerName kind staffId } sopTasks { chat call } } } }`;
const OPPS = `query($s: ID, $k: OpportunityKind) { opportunities(staffId: $s, kind: $k) { customerName kind } }`;
const FEED = `subscription { myTaskFeed { change task { id kind title customerId } alert { reason event customerName contentTitle at forStaffId } } }`;

/** A journey whose call signals are reads of content and demo requests (worth more than the default). */
const vipJourney: JourneyDefinition = {
  id: "vip",
  version: 1,
  timezone: "Asia/Shanghai",
  entry: "new",
  stages: [{ id: "new", sop: [] }],
  opportunities: { call: ["content.read", { event: "demo.requested", intent: 120 }], chat: ["message.replied"] },
};

const at = (ms: number) => new Date(START.getTime() + ms).toISOString();
const names = (list: Array<{ customerName: string }>) => list.map((o) => o.customerName);

describe.each(KINDS)("intent opportunities on %s", (kind) => {
  let h: Harness;
  let ws: Tenant;
  let alice: Awaited<ReturnType<Tenant["staff"]>>;
  let bob: Awaited<ReturnType<Tenant["staff"]>>;
  let lena: Awaited<ReturnType<Tenant["staff"]>>;
  const ids: Record<string, string> = {};
  const boardOf = async (gql: (q: string) => Promise<any>, externalId: string): Promise<any> =>
    (ok(await gql(BOARD)) as any).board.staff.find((s: { staff: { externalId: string } }) => s.staff.externalId === externalId);

  beforeAll(async () => {
    h = await createHarness(kind);
    h.clock.now = START;
    ws = await h.workspace();
    lena = await ws.staff("lena", "sales");
    alice = await ws.staff("alice", "sales");
    bob = await ws.staff("bob", "sales");
    ok(await ws.api(`mutation { upsertStaff(input: { externalId: "alice", name: "alice", leadExternalId: "lena" }) { id } }`));
    ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
    ok(await ws.api(UPSERT_JOURNEY, { d: vipJourney }));
    ok(await ws.api(`mutation { upsertContent(input: { ref: "case-1", title: "客户案例", type: "case", body: { text: "…" } }) { id } }`));
    for (const [c, j, s, name] of [["c0", "sales", alice, "张三"], ["c1", "sales", alice, "c1"], ["c2", "sales", bob, "c2"], ["c3", "vip", alice, "c3"], ["c4", "sales", alice, "c4"]] as const) {
      ids[c] = ok(await ws.api(ENROLL, { c, j, s: s.id, p: { name } })).enroll.customerId;
    }
  });
  afterAll(() => h?.close());

  it("signals put customers on their staff member's lists, best intent first, then the longest waiting; the feed says who is doing what now", async () => {
    const feed = await subscribeSse(h, alice.token, FEED);
    h.clock.now = new Date(START.getTime() + 10 * MIN);
    const r = ok(
      await ws.api(INGEST, {
        e: [
          { id: "e1", customer: "c1", name: "link.clicked", at: at(0) },
          { id: "e2", customer: "c0", name: "message.replied", at: at(5 * MIN) },
          { id: "e3", customer: "c0", name: "content.read", at: at(6 * MIN), data: { content: "case-1", seconds: 90 } },
          { id: "e4", customer: "c2", name: "message.replied", at: at(2 * MIN) },
          { id: "e5", customer: "c3", name: "content.read", at: at(3 * MIN), data: { content: "case-1", seconds: 10 } },
          { id: "e6", customer: "c1", name: "demo.requested", at: at(4 * MIN) },
          { id: "e7", customer: "c4", name: "message.replied", at: at(1 * MIN) },
          { id: "e8", customer: "c4", name: "page.viewed", at: at(7 * MIN) },
        ],
      }),
    ).ingestEvents;
    expect(r).toEqual({ accepted: 8, rejected: [] });

    const mine = await boardOf(ws.api, "alice");
    // c4 and 张三 both replied (80): c4 has waited longer; c1's click is worth less
    expect(names(mine.chatOpportunities)).toEqual(["c4", "张三", "c1"]);
    expect(mine.chatOpportunities[1]).toMatchObject({ kind: "CHAT", intent: 80, signal: "message.replied", signals: 2, content: "case-1", waitingSince: at(5 * MIN), waitingMinutes: 5, overdue: false });
    // c1's demo request is a call by default; in the vip journey a read is a call
    expect(mine.callOpportunities.map((o: { customerName: string; intent: number; signal: string }) => [o.customerName, o.intent, o.signal])).toEqual([["c1", 100, "demo.requested"], ["c3", 50, "content.read"]]);
    expect(mine.chatOpportunityCount).toBe(3);
    // SOP tasks stay apart: the greeting chat tasks of alice's three sales customers (vip has no SOP)
    expect(mine.sopTasks).toEqual({ chat: 3, call: 0 });
    expect(names((await boardOf(ws.api, "bob")).chatOpportunities)).toEqual(["c2"]);

    const items = [];
    for (let i = 0; i < 5; i++) items.push((await feed.next(5_000)).data!.myTaskFeed);
    await feed.close();
    expect(items.every((i) => i.change === "ALERT" && i.task.kind === "alert")).toBe(true);
    const read = items.find((i) => i.alert.event === "content.read" && i.task.customerId === ids.c0);
    expect(read).toMatchObject({ task: { title: "张三 is reading 客户案例 now" }, alert: { reason: "INTENT", customerName: "张三", contentTitle: "客户案例", at: at(6 * MIN), forStaffId: null } });
    expect(items.map((i) => i.alert.event).sort()).toEqual(["content.read", "content.read", "link.clicked", "message.replied", "message.replied"]);
  });

  it("staff tokens see only their own lists and opportunities", async () => {
    const board = ok(await alice.gql(BOARD)).board;
    expect(board.staff.map((s: { staff: { externalId: string } }) => s.staff.externalId)).toEqual(["alice"]);
    expect(names(ok(await alice.gql(OPPS, { k: "CALL" })).opportunities)).toEqual(["c1", "c3"]);
    expect(names(ok(await bob.gql(OPPS)).opportunities)).toEqual(["c2"]);
    expect(errorCodes(await alice.gql(OPPS, { s: bob.id }))).toEqual(["FORBIDDEN"]);
    expect(names(ok(await ws.api(OPPS, { s: alice.id, k: "CHAT" })).opportunities)).toEqual(["c4", "张三", "c1"]);
    expect(ok(await ws.api(OPPS)).opportunities).toHaveLength(6);
  });

  it("answering (a chat task done) takes the customer off both lists; a later signal puts them back", async () => {
    const [task] = await h.test.db.sql.query<{ id: string }>(`SELECT id FROM tasks WHERE customer_id = $1 AND kind = 'chat'`, [ids.c1]);
    h.clock.now = new Date(START.getTime() + 20 * MIN);
    ok(await alice.gql(`mutation($id: ID!) { completeTask(id: $id) { status } }`, { id: task!.id }));
    let mine = await boardOf(alice.gql, "alice");
    expect(names(mine.chatOpportunities)).toEqual(["c4", "张三"]);
    expect(names(mine.callOpportunities)).toEqual(["c3"]);
    h.clock.now = new Date(START.getTime() + 31 * MIN);
    ok(await ws.api(INGEST, { e: [{ id: "e9", customer: "c1", name: "link.clicked", at: at(30 * MIN) }] }));
    mine = await boardOf(alice.gql, "alice");
    expect(mine.chatOpportunities.at(-1)).toMatchObject({ customerName: "c1", signals: 1, waitingSince: at(30 * MIN), waitingMinutes: 1 });
  });

  it("an opportunity waiting longer than the workspace's hours escalates to the lead: on their board, and once on their feed", async () => {
    await h.test.db.sql.execute(`UPDATE workspaces SET settings = settings || '{"opportunityEscalationHours": 2}' WHERE id = $1`, [ws.id]);
    h.clock.now = new Date(START.getTime() + 2 * HOUR - MIN);
    expect((await boardOf(lena.gql, "lena")).escalated).toEqual([]);
    const feed = await subscribeSse(h, lena.token, FEED);
    h.clock.now = new Date(START.getTime() + 2 * HOUR + 6 * MIN);
    const lead = await boardOf(lena.gql, "lena");
    // waiting since 09:01 (c4), 09:03 (c3), 09:05 (张三); c1 answered and back at 09:30; bob has no lead
    expect(lead.escalated).toEqual([
      { customerName: "c4", kind: "CHAT", staffId: alice.id },
      { customerName: "张三", kind: "CHAT", staffId: alice.id },
      { customerName: "c3", kind: "CALL", staffId: alice.id },
    ]);
    expect((await boardOf(alice.gql, "alice")).chatOpportunities.map((o: { overdue: boolean }) => o.overdue)).toEqual([true, true, false]);
    await h.gateway.scheduler.runOnce(h.clock.now);
    await h.gateway.scheduler.runOnce(h.clock.now);
    const items = [];
    for (let i = 0; i < 3; i++) items.push((await feed.next(5_000)).data!.myTaskFeed);
    expect(await feed.nothingWithin(300)).toBe(true);
    await feed.close();
    expect(items.map((i) => i.alert.customerName).sort()).toEqual(["c3", "c4", "张三"]);
    expect(items[0]).toMatchObject({ change: "ALERT", alert: { reason: "ESCALATION", forStaffId: alice.id } });
    expect(items.find((i) => i.alert.customerName === "c4").task.title).toBe("c4 has waited 2 h for alice (message.replied)");
  });

  it("a handed-over customer's open opportunity follows them to the new staff member", async () => {
    await h.test.db.sql.execute(`UPDATE customers SET staff_id = $2 WHERE id = $1`, [ids.c2, alice.id]);
    expect(names((await boardOf(ws.api, "alice")).chatOpportunities)).toContain("c2");
    expect((await boardOf(ws.api, "bob")).chatOpportunityCount).toBe(0);
  });

  it("tomorrow's lists start empty; unanswered ones of yesterday are not today's", async () => {
    h.clock.now = new Date(START.getTime() + 24 * HOUR);
    const mine = await boardOf(ws.api, "alice");
    expect(mine.chatOpportunities).toEqual([]);
    expect(mine.callOpportunities).toEqual([]);
  });

  it("a deleted staff member's opportunities, open or answered, fall to no one, as their customers do", async () => {
    const sql = h.test.db.sql;
    const dan = await ws.staff("dan", "sales");
    // customers of dan's with no enrollment: no task holds dan's row
    const [c5, c6] = await sql.query<{ id: string }>(
      `INSERT INTO customers (workspace_id, external_id, name, staff_id) VALUES ($1, 'c5', 'c5', $2), ($1, 'c6', 'c6', $2) RETURNING id`,
      [ws.id, dan.id],
    );
    ok(await ws.api(INGEST, { e: [{ id: "e20", customer: "c5", name: "message.replied", at: at(24 * HOUR) }, { id: "e21", customer: "c6", name: "link.clicked", at: at(24 * HOUR) }] }));
    await sql.execute(`UPDATE opportunities SET answered_at = $2 WHERE customer_id = $1`, [c6!.id, h.clock.now]);
    expect((await boardOf(ws.api, "dan")).chatOpportunityCount).toBe(1);

    await sql.execute(`DELETE FROM staff WHERE id = $1`, [dan.id]);
    const rows = await sql.query<{ staff_id: string | null }>(`SELECT staff_id FROM opportunities WHERE customer_id = ANY($1::text[])`, [[c5!.id, c6!.id]]);
    expect(rows).toEqual([{ staff_id: null }, { staff_id: null }]);
    const [customers] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE id = ANY($1::text[]) AND staff_id IS NULL`, [[c5!.id, c6!.id]]);
    expect(customers!.n).toBe(2);
    // the unassigned opportunity is still on the workspace's list, under no one
    expect(names(ok(await ws.api(OPPS, { k: "CHAT" })).opportunities)).toContain("c5");
  });
});
