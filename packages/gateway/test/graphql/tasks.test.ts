import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY, HOUR, type Harness, KINDS, START, type Tenant, UPSERT_JOURNEY, createHarness, enrollMany, errorCodes, ok, salesJourney, subscribeSse } from "./helpers.js";

const MY_TASKS = `query($s: ID, $st: TaskStatus, $first: Int, $after: String) {
  myTasks(staffId: $s, status: $st, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id seq title kind channel status dueAt customer { externalId } staff { externalId } } } } }`;
const FEED = `subscription($s: ID) { myTaskFeed(staffId: $s) { change task { id seq title kind channel content dueAt status customerId staffId } } }`;

describe.each(KINDS)("tasks on %s", (kind) => {
  let h: Harness;
  let ws: Tenant;
  let alice: Awaited<ReturnType<Tenant["staff"]>>;
  let bob: Awaited<ReturnType<Tenant["staff"]>>;

  beforeAll(async () => {
    h = await createHarness(kind);
    h.clock.now = START;
    ws = await h.workspace();
    alice = await ws.staff("alice", "sales");
    bob = await ws.staff("bob", "sales");
    ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
    await enrollMany(ws, alice.id, "a", 3);
    await enrollMany(ws, bob.id, "b", 2);
  });
  afterAll(() => h?.close());

  it("myTasks pages through the caller's own tasks (staff token) or a named staff member's (API key)", async () => {
    const p1 = ok(await alice.gql(MY_TASKS, { first: 2 })).myTasks;
    expect(p1.totalCount).toBe(3);
    expect(p1.edges).toHaveLength(2);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    expect(p1.edges[0].node).toMatchObject({ title: "Say hello", kind: "chat", channel: "PRIVATE_CHAT", status: "OPEN", dueAt: START.toISOString(), staff: { externalId: "alice" } });
    const p2 = ok(await alice.gql(MY_TASKS, { first: 2, after: p1.pageInfo.endCursor })).myTasks;
    expect(p2.edges).toHaveLength(1);
    expect(p2.pageInfo.hasNextPage).toBe(false);
    const all = [...p1.edges, ...p2.edges].map((e: { node: { customer: { externalId: string } } }) => e.node.customer.externalId).sort();
    expect(all).toEqual(["a0", "a1", "a2"]);

    expect(ok(await ws.api(MY_TASKS, { s: bob.id })).myTasks.totalCount).toBe(2);
    expect(errorCodes(await ws.api(MY_TASKS, {}))).toEqual(["FORBIDDEN"]); // API key: whose tasks?
    expect(errorCodes(await alice.gql(MY_TASKS, { s: bob.id }))).toEqual(["FORBIDDEN"]);
  });

  it("complete / skip / snooze change only the caller's own tasks and publish an UPDATED notice on the owner's feed", async () => {
    const feed = await subscribeSse(h, alice.token, FEED);
    const bobFeed = await subscribeSse(h, bob.token, FEED);
    try {
      const tasks = ok(await alice.gql(MY_TASKS, { st: "OPEN" })).myTasks.edges.map((e: { node: { id: string } }) => e.node.id);
      const bobTask = ok(await bob.gql(MY_TASKS, {})).myTasks.edges[0].node.id;

      const done = ok(await alice.gql(`mutation($id: ID!) { completeTask(id: $id) { id status completedAt } }`, { id: tasks[0] }));
      expect(done.completeTask).toEqual({ id: tasks[0], status: "DONE", completedAt: START.toISOString() });
      const event = await feed.next();
      expect(event.data.myTaskFeed).toMatchObject({ change: "UPDATED", task: { id: tasks[0], status: "DONE", title: "Say hello", kind: "chat", channel: "PRIVATE_CHAT", content: "greeting", staffId: alice.id } });
      // completing again is harmless
      expect(ok(await alice.gql(`mutation($id: ID!) { completeTask(id: $id) { status } }`, { id: tasks[0] })).completeTask.status).toBe("DONE");

      const skipped = ok(await alice.gql(`mutation($id: ID!) { skipTask(id: $id, reason: "customer asked for email") { status } }`, { id: tasks[1] }));
      expect(skipped.skipTask.status).toBe("SKIPPED");
      expect((await feed.next()).data.myTaskFeed).toMatchObject({ change: "UPDATED", task: { id: tasks[1], status: "SKIPPED" } });

      const until = new Date(START.getTime() + 3 * HOUR).toISOString();
      const snoozed = ok(await alice.gql(`mutation($id: ID!, $u: DateTime!) { snoozeTask(id: $id, until: $u) { status snoozedUntil } }`, { id: tasks[2], u: until }));
      expect(snoozed.snoozeTask).toEqual({ status: "SNOOZED", snoozedUntil: until });
      expect((await feed.next()).data.myTaskFeed.task).toMatchObject({ id: tasks[2], status: "SNOOZED" });
      const past = await alice.gql(`mutation($id: ID!) { snoozeTask(id: $id, until: "2020-01-01T00:00:00Z") { status } }`, { id: tasks[2] });
      expect(errorCodes(past)).toEqual(["BAD_USER_INPUT"]);
      expect(errorCodes(await alice.gql(`mutation($id: ID!) { completeTask(id: $id) { status } }`, { id: tasks[1] }))).toEqual(["BAD_USER_INPUT"]);

      // another staff member's task: as if it did not exist, and nothing changes or is published
      const foreign = await alice.gql(`mutation($id: ID!) { completeTask(id: $id) { id status } }`, { id: bobTask });
      expect(foreign.data).toBeNull();
      expect(errorCodes(foreign)).toEqual(["NOT_FOUND"]);
      expect(ok(await bob.gql(MY_TASKS, { st: "OPEN" })).myTasks.totalCount).toBe(2);
      expect(await bobFeed.nothingWithin(150)).toBe(true);

      // the delivery behind a completed task counts as sent
      const customer = ok(await alice.gql(`{ myTasks(status: DONE) { edges { node { customerId } } } }`)).myTasks.edges[0].node.customerId;
      const steps = ok(await alice.gql(`query($id: ID!) { customer(id: $id) { journeys { pastSteps { stepId status } } } }`, { id: customer })).customer.journeys[0].pastSteps;
      expect(steps).toEqual([{ stepId: "hello", status: "sent" }]);
    } finally {
      await feed.close();
      await bobFeed.close();
    }
  });

  it("tasksSince returns tasks after a seq cursor in order (feed catch-up), scoped like myTasks", async () => {
    const all = ok(await ws.api(`{ tasksSince(seq: "0") { seq staffId } }`)).tasksSince;
    expect(all).toHaveLength(5);
    const seqs = all.map((t: { seq: string }) => BigInt(t.seq));
    expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);
    const after = ok(await ws.api(`query($s: String!) { tasksSince(seq: $s) { seq } }`, { s: all[2].seq })).tasksSince;
    expect(after.map((t: { seq: string }) => t.seq)).toEqual(all.slice(3).map((t: { seq: string }) => t.seq));
    const mine = ok(await bob.gql(`{ tasksSince(seq: "0") { staffId } }`)).tasksSince;
    expect(mine).toEqual([{ staffId: bob.id }, { staffId: bob.id }]);
    expect(errorCodes(await ws.api(`{ tasksSince(seq: "-1") { id } }`))).toEqual(["BAD_USER_INPUT"]);
  });

  it("handoverCustomer keeps the journey, moves open tasks, and tells both feeds", async () => {
    const b0 = ok(await ws.api(`{ customers(first: 10) { edges { node { id externalId } } } }`)).customers.edges.find((e: { node: { externalId: string } }) => e.node.externalId === "b0").node.id;
    const aliceFeed = await subscribeSse(h, alice.token, FEED);
    const bobFeed = await subscribeSse(h, bob.token, FEED);
    try {
      const r = ok(await ws.api(`mutation($c: ID!, $s: ID!) { handoverCustomer(customerId: $c, toStaffId: $s) { enrollments movedTasks customer { staff { externalId } journeys { stage visit staff { externalId } } } } }`, { c: b0, s: alice.id }));
      expect(r.handoverCustomer).toEqual({ enrollments: 1, movedTasks: 1, customer: { staff: { externalId: "alice" }, journeys: [{ stage: "new", visit: 1, staff: { externalId: "alice" } }] } });
      expect((await aliceFeed.next()).data.myTaskFeed).toMatchObject({ change: "CREATED", task: { staffId: alice.id, customerId: b0 } });
      expect((await bobFeed.next()).data.myTaskFeed).toMatchObject({ change: "REMOVED", task: { customerId: b0 } });
      // bob no longer sees the customer; alice does
      expect(errorCodes(await bob.gql(`query($id: ID!) { customer(id: $id) { id } }`, { id: b0 }))).toEqual(["NOT_FOUND"]);
      expect(ok(await alice.gql(`query($id: ID!) { customer(id: $id) { externalId } }`, { id: b0 })).customer.externalId).toBe("b0");
      // the next task step of the journey goes to the new owner
      h.clock.now = new Date(START.getTime() + DAY + HOUR);
      await h.gateway.scheduler.runOnce(h.clock.now);
      const calls = ok(await alice.gql(`{ myTasks(status: OPEN) { edges { node { kind customer { externalId } } } } }`)).myTasks.edges.map((e: { node: { kind: string; customer: { externalId: string } } }) => `${e.node.kind}:${e.node.customer.externalId}`);
      expect(calls).toContain("call:b0");
      expect(errorCodes(await ws.api(`mutation($c: ID!) { handoverCustomer(customerId: $c, toStaffId: "nobody") { movedTasks } }`, { c: b0 }))).toEqual(["NOT_FOUND"]);
    } finally {
      await aliceFeed.close();
      await bobFeed.close();
    }
  });
});
