// Issue 4, point 1 and 2 (Node): the typed client on fetch + ws against a REAL gateway
// (createGateway on in-memory PGlite, started on port 0).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphQLResponseError, NetworkError, graphql, maxSeq, type Board, type TaskFeedItem } from "../src/index.js";
import { retryGate } from "./helpers/collect.js";
import { startGateway, type GatewayFixture } from "./helpers/gateway.js";
import { recorder, settle } from "./helpers/recorder.js";

describe("createClient on Node (fetch + ws) against a real gateway", () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.[Symbol.asyncDispose]();
  });

  it("runs the typed queries and mutations: content, enroll, board, customer journey with timeline, tasks", async () => {
    const ws = await gw.workspace();
    const alice = await ws.staff("alice");
    const content = await ws.admin.upsertContent({ ref: "greeting", title: "Hello", type: "greeting", body: { text: "您好！" }, channel: "PRIVATE_CHAT" });
    expect(content).toMatchObject({ ref: "greeting", version: 1, expired: false, channel: "PRIVATE_CHAT" });

    const { customerId, created } = await ws.admin.enroll({ customerExternalId: "lead-1", journeyKey: "feed", staffId: alice.id, profile: { name: "Lead One" } });
    expect(created).toBe(true);

    const board = await ws.admin.board("feed");
    expect(board.journeys).toEqual([expect.objectContaining({ key: "feed", customers: 1, stages: [expect.objectContaining({ id: "new", customers: 1 }), expect.objectContaining({ id: "interested", customers: 0 })] })]);
    expect(board.staff).toEqual([expect.objectContaining({ staff: expect.objectContaining({ id: alice.id }), chat: 1, call: 0 })]);

    const customer = await ws.admin.customer(customerId);
    expect(customer).toMatchObject({ externalId: "lead-1", name: "Lead One", staff: { id: alice.id } });
    expect(customer.journeys).toEqual([expect.objectContaining({ journeyKey: "feed", stage: "new", visit: 1 })]);
    expect(customer.timeline.map((e) => `${e.stepId}:${e.status}`).sort()).toEqual(["article:due", "hello:task"]);

    const page = await ws.admin.tasks({ staffId: alice.id });
    expect(page.totalCount).toBe(1);
    expect(page.tasks[0]).toMatchObject({ title: "Say hello", status: "OPEN", customer: { externalId: "lead-1" }, contentEntry: { ref: "greeting", body: { text: "您好！" } } });
    expect(await ws.admin.tasksSince("0", { staffId: alice.id })).toEqual([expect.objectContaining({ id: page.tasks[0]!.id, seq: page.tasks[0]!.seq })]);
  });

  it("completes, skips and snoozes tasks, and moves a customer to another stage", async () => {
    const ws = await gw.workspace();
    const bob = await ws.staff("bob");
    const ids = [];
    for (const c of ["a", "b", "c"]) ids.push((await ws.admin.enroll({ customerExternalId: c, journeyKey: "feed", staffId: bob.id })).customerId);
    const { tasks } = await ws.admin.tasks({ staffId: bob.id });
    expect(tasks).toHaveLength(3);
    const [t1, t2, t3] = tasks as [(typeof tasks)[0], (typeof tasks)[0], (typeof tasks)[0]];
    expect((await ws.admin.completeTask(t1.id)).status).toBe("DONE");
    expect((await ws.admin.skipTask(t2.id, "customer asked for no chat")).status).toBe("SKIPPED");
    const until = new Date(Date.now() + 86_400_000);
    const snoozed = await ws.admin.snoozeTask(t3.id, until);
    expect(snoozed).toMatchObject({ status: "SNOOZED", snoozedUntil: until.toISOString() });

    const moved = await ws.admin.moveCustomer({ customerId: ids[0]!, journeyKey: "feed", to: "interested" });
    expect(moved).toMatchObject({ stage: "interested", visit: 2 });
    expect((await ws.admin.board("feed")).journeys[0]!.stages.map((s) => s.customers)).toEqual([2, 1]);
  });

  it("a staff member's app sets do-not-disturb and removes a customer from a journey", async () => {
    const ws = await gw.workspace();
    const carol = await ws.staff("carol");
    const app = ws.client({ token: carol.token });
    const { customerId } = await ws.admin.enroll({ customerExternalId: "quiet-1", journeyKey: "feed", staffId: carol.id });
    expect(await app.setDoNotDisturb({ customerId, channel: "OFFICIAL_ACCOUNT", on: true, reason: "asked on the phone" })).toEqual({ customerId, channel: "official_account", on: true, changed: true, skippedSteps: 1 });
    expect(await app.removeFromJourney({ customerId, journeyKey: "feed", reason: "not interested" })).toEqual({ customerId, journeyKey: "feed", enrollments: 1, cancelledSteps: 1, cancelledTasks: 1 });
    await expect(app.removeFromJourney({ customerId, journeyKey: "feed" })).rejects.toThrow(`customer "${customerId}" is not in journey "feed"`);
  });

  it("asks which content is due on a channel and acknowledges it once", async () => {
    const ws = await gw.workspace();
    await ws.admin.upsertContent({ ref: "article-1", title: "Why private domain", type: "article", body: { text: "三个误区" }, channel: "OFFICIAL_ACCOUNT" });
    await ws.admin.enroll({ customerExternalId: "reader", journeyKey: "feed", profile: { oaOpenId: "o-reader" } });
    const due = await ws.admin.contentDue({ customer: "o-reader", idKind: "OPENID", channel: "OFFICIAL_ACCOUNT" });
    expect(due).toEqual([expect.objectContaining({ stepId: "article", status: "due", contentEntry: expect.objectContaining({ ref: "article-1", body: { text: "三个误区" } }) })]);
    expect(await ws.admin.acknowledgeDeliveries(due.map((d) => d.id), "SENT")).toBe(1);
    expect(await ws.admin.acknowledgeDeliveries(due.map((d) => d.id), "SENT")).toBe(0);
    expect(await ws.admin.contentDue({ customer: "o-reader", idKind: "OPENID", channel: "OFFICIAL_ACCOUNT" })).toEqual([]);
  });

  it("ingests events: a demo moves the customer, a retried id counts once, a bad event is rejected by index", async () => {
    const ws = await gw.workspace();
    const { customerId } = await ws.admin.enroll({ customerExternalId: "demo-lead", journeyKey: "feed" });
    const at = new Date(Date.now() - 60_000);
    const first = await ws.admin.ingestEvents([
      { id: "e-1", customer: "demo-lead", name: "demo.attended", at },
      { id: "e-2", customer: "demo-lead", name: "", at },
    ]);
    expect(first).toMatchObject({ accepted: 1, duplicates: 0, rejected: [{ index: 1, id: "e-2", code: "BAD_EVENT" }] });
    expect(await ws.admin.ingestEvents([{ id: "e-1", customer: "demo-lead", name: "demo.attended", at: at.getTime() }])).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await ws.admin.customer(customerId)).journeys[0]).toMatchObject({ stage: "interested" });
  });

  it("delivers gateway errors as typed errors with a code (and issues for BAD_USER_INPUT), never strings", async () => {
    const ws = await gw.workspace();
    const bad = ws.client({ token: "sk_not_a_real_key_at_all_0000" });
    const unauthenticated = await bad.board().catch((e: unknown) => e);
    expect(unauthenticated).toBeInstanceOf(GraphQLResponseError);
    expect(unauthenticated).toMatchObject({ code: "UNAUTHENTICATED", message: expect.stringContaining("[UNAUTHENTICATED]") });

    const invalid = await ws.admin.upsertJourney({ id: "broken", version: 1, timezone: "Asia/Shanghai", entry: "nowhere", stages: [] }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(GraphQLResponseError);
    expect((invalid as GraphQLResponseError).code).toBe("BAD_USER_INPUT");
    expect((invalid as GraphQLResponseError).issues.length).toBeGreaterThan(0);
    expect((invalid as GraphQLResponseError).issues[0]).toEqual({ path: expect.any(String), message: expect.any(String) });

    await expect(ws.admin.customer("00000000-0000-0000-0000-000000000000")).rejects.toMatchObject({ name: "GraphQLResponseError", code: "NOT_FOUND" });

    const offline = ws.client({ url: "http://127.0.0.1:9/graphql" });
    await expect(offline.board()).rejects.toBeInstanceOf(NetworkError);
  });

  it("takes any gql.tada document through the request escape hatch", async () => {
    const ws = await gw.workspace();
    const Lint = graphql(`query Lint($key: String!) { journeyLint(key: $key) { level code path } viewer { kind } }`);
    const result = await ws.admin.request(Lint, { key: "feed" });
    expect(result.viewer.kind).toBe("API_KEY");
    expect(result.journeyLint.map((i) => i.code)).toContain("missing-content");
    const Settings = graphql(`mutation { updateWorkspaceSettings(unknownCustomers: CREATE) { unknownCustomers } }`);
    expect((await ws.admin.request(Settings)).updateWorkspaceSettings.unknownCustomers).toBe("CREATE");
  });

  it("streams boardChanges and the task feed over ws; the feed resumes after a dropped socket without losing or repeating a task", async () => {
    const ws = await gw.workspace();
    const carol = await ws.staff("carol");
    const gate = retryGate();
    const staffClient = ws.client({ token: carol.token, retryWait: gate.retryWait });
    const boards = recorder<Board>();
    const stopBoard = ws.admin.boardChanges(boards);
    const feed = recorder<TaskFeedItem>();
    const { tasks } = await staffClient.tasks();
    const running = staffClient.taskFeed(feed, { initialCursor: maxSeq(tasks) });
    await Promise.all([settle(staffClient), settle(ws.admin)]);

    await ws.admin.enroll({ customerExternalId: "live-1", journeyKey: "feed", staffId: carol.id });
    await feed.until((items) => items.length === 1, "the first task (live, or by the settle catch-up)");
    await boards.until((b) => b.some((x) => x.staff[0]?.chat === 1), "a board change with one chat opportunity");

    staffClient.reconnect(); // drop the socket; graphql-ws waits in retryWait before reconnecting
    await gate.changed.until(() => gate.calls.length === 1, "the reconnect to wait for its backoff");
    await ws.admin.enroll({ customerExternalId: "while-disconnected", journeyKey: "feed", staffId: carol.id });
    gate.open();
    await feed.until((items) => items.length === 2, "the task created while disconnected, by catch-up");
    const completed = await staffClient.completeTask(feed.items[0]!.task.id);
    await feed.until((items) => items.some((i) => i.change === "UPDATED"), "the UPDATED notice");

    expect(gate.calls).toEqual([0]);
    expect(feed.items.map((i) => `${i.change}:${i.task.title}:${i.task.status}`)).toEqual(["CREATED:Say hello:OPEN", "CREATED:Say hello:OPEN", "UPDATED:Say hello:DONE"]);
    expect(new Set(feed.items.map((i) => i.task.id)).size).toBe(2);
    expect(feed.items[2]!.task.id).toBe(completed.id);
    expect(feed.errors).toEqual([]);
    running.unsubscribe();
    stopBoard();
  });
});
