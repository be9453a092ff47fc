import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, KINDS, START, type Tenant, UPSERT_JOURNEY, countStatements, createHarness, ok, salesJourney } from "./helpers.js";

const BOARD = `{ board { date journeys { key name customers stages { id name customers } } staff { staff { id name externalId team } chat call overdueChat overdueCall } } }`;
const TASK_PAGE = `query($s: ID) { myTasks(staffId: $s, first: 100) { totalCount edges { cursor node {
  id seq title kind status dueAt contentEntry { title version }
  staff { name }
  customer { externalId name tags staff { name } journeys { stage stageName journey { key version } pastSteps { stepId contentEntry { title } } } } } } } }`;
const CUSTOMER_PAGE = `{ customers(first: 100) { edges { node { externalId tags staff { name } journeys { stage visit stageName upcomingSteps(days: 3) { stepId contentEntry { title } } pastSteps { stepId } } } } } }`;

/** A workspace whose `size` customers (and as many tasks) were created by one event batch and routed to two staff members. */
async function populate(h: Harness, size: number): Promise<{ ws: Tenant; staffId: string }> {
  const ws = await h.workspace(`n${size}`);
  ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
  const s1 = await ws.staff("s1", "team");
  await ws.staff("s2", "team");
  for (const ref of ["greeting", "call-script", "article-1"]) ok(await ws.api(`mutation($r: String!) { upsertContent(input: { ref: $r, title: $r, type: "greeting", body: {} }) { id } }`, { r: ref }));
  ok(await ws.api(`mutation { updateWorkspaceSettings(unknownCustomers: CREATE) { unknownCustomers } }`));
  ok(await ws.api(`mutation { upsertSegmentRule(input: { name: "all", match: {}, journeyKey: "sales", team: "team" }) { id } }`));
  const events = Array.from({ length: size * 2 }, (_, i) => ({ id: `e${i}`, customer: `c${i}`, name: "link.clicked", at: START.toISOString(), profile: { name: `C ${i}` } }));
  expect(ok(await ws.api(`mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }`, { e: events })).ingestEvents.accepted).toBe(size * 2);
  return { ws, staffId: s1.id };
}

describe.each(KINDS)("no N+1 on %s", (kind) => {
  let h: Harness;
  let small: { ws: Tenant; staffId: string };
  let large: { ws: Tenant; staffId: string };

  beforeAll(async () => {
    h = await createHarness(kind);
    h.clock.now = START;
    small = await populate(h, 5);
    large = await populate(h, 50);
  });
  afterAll(() => h?.close());

  async function statementsFor(ws: Tenant, query: string, variables?: Record<string, unknown>) {
    const { result, count, statements } = await countStatements(h.test.db.pool, () => ws.api(query, variables));
    return { data: ok(result), count, statements };
  }

  it("the board takes the same few statements for 5 or 50 tasks per staff member", async () => {
    // a workspace's first board read counts its tasks and opportunities once (board-counts.ts): not counted here
    for (const ws of [small.ws, large.ws]) ok(await ws.api(BOARD));
    const s = await statementsFor(small.ws, BOARD);
    const l = await statementsFor(large.ws, BOARD);
    expect(s.data.board.staff.map((o: { chat: number }) => o.chat)).toEqual([5, 5]);
    expect(l.data.board.staff.map((o: { chat: number }) => o.chat)).toEqual([50, 50]);
    expect(l.data.board.journeys[0].customers).toBe(100);
    expect(l.count).toBe(s.count);
    // authentication + definitions + stage counts (folding their deltas) + staff + task and opportunity counts (folding theirs) + the lists' heads (no team leads here: no escalations statement)
    expect(l.count).toBeLessThanOrEqual(6);
  });

  it("a page of tasks with customers, journeys, steps and content takes the same statements for 5 or 50 tasks", async () => {
    const s = await statementsFor(small.ws, TASK_PAGE, { s: small.staffId });
    const l = await statementsFor(large.ws, TASK_PAGE, { s: large.staffId });
    expect(s.data.myTasks.edges).toHaveLength(5);
    expect(l.data.myTasks.edges).toHaveLength(50);
    expect(l.data.myTasks.edges[49].node).toMatchObject({ contentEntry: { title: "greeting" }, staff: { name: "s1" }, customer: { journeys: [{ stage: "new", journey: { key: "sales" }, pastSteps: [{ stepId: "hello" }] }] } });
    expect(l.count).toBe(s.count);
    expect(l.count).toBeLessThanOrEqual(12);
  });

  it("a page of customers with journeys, simulated upcoming steps and content takes the same statements for 10 or 100 customers", async () => {
    const s = await statementsFor(small.ws, CUSTOMER_PAGE);
    const l = await statementsFor(large.ws, CUSTOMER_PAGE);
    expect(s.data.customers.edges).toHaveLength(10);
    expect(l.data.customers.edges).toHaveLength(100);
    expect(l.data.customers.edges[0].node.journeys[0].upcomingSteps.map((x: { stepId: string }) => x.stepId)).toEqual(["call", "article"]);
    expect(l.count).toBe(s.count);
    expect(l.count).toBeLessThanOrEqual(12);
  });
});
