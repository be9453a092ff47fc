// Issue 4, point 2 (WeChat runtime): createWxClient on wx.request + wx.connectSocket, driven by
// the faithful fake wx, against a REAL gateway (in-memory PGlite, port 0).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeWx, type FakeWx } from "../src/testing/index.js";
import { GraphQLResponseError, createWxClient, graphql, maxSeq, type TaskFeedItem, type WxClientOptions } from "../src/wx.js";
import { backoffGate } from "./helpers/backoff-gate.js";
import { startGateway, type GatewayFixture, type TestWorkspace } from "./helpers/gateway.js";
import { recorder, settle } from "./helpers/recorder.js";

describe("createWxClient (wx.request + wx.connectSocket) against a real gateway", () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.[Symbol.asyncDispose]();
  });

  async function staffApp(ws: TestWorkspace, externalId: string, options: Partial<WxClientOptions> = {}) {
    const staff = await ws.staff(externalId);
    const wx: FakeWx = createFakeWx();
    const client = createWxClient({ url: gw.url, wx, token: staff.token, ...options });
    return { staff, wx, client, [Symbol.asyncDispose]: () => client.dispose() };
  }

  it("loads the staff member's own tasks over wx.request with the staff token", async () => {
    const ws = await gw.workspace();
    await using app = await staffApp(ws, "dora");
    const other = await ws.staff("eve");
    await ws.admin.enroll({ customerExternalId: "mine", journeyKey: "feed", staffId: app.staff.id });
    await ws.admin.enroll({ customerExternalId: "theirs", journeyKey: "feed", staffId: other.id });

    const { tasks, totalCount } = await app.client.tasks({ status: "OPEN" });
    expect(totalCount).toBe(1);
    expect(tasks[0]).toMatchObject({ title: "Say hello", customer: { externalId: "mine" }, staffId: app.staff.id });
    expect((await app.client.viewer()).staff?.id).toBe(app.staff.id);
    expect(app.wx.requests.every((r) => r.method === "POST" && r.header.authorization === `Bearer ${app.staff.token}`)).toBe(true);
  });

  it("survives a socket drop: reconnects with backoff and a task created while disconnected arrives exactly once", async () => {
    const ws = await gw.workspace();
    const backoff = backoffGate();
    await using app = await staffApp(ws, "frank", { retryWait: backoff.retryWait });
    const feed = recorder<TaskFeedItem>();
    const { tasks } = await app.client.tasks();
    const running = app.client.taskFeed(feed, { initialCursor: maxSeq(tasks) });
    await settle(app.client);
    await ws.admin.enroll({ customerExternalId: "before-drop", journeyKey: "feed", staffId: app.staff.id });
    await feed.until((items) => items.length === 1, "the first task");

    app.wx.setOnline(false); // the socket dies with 1006; reconnects fail until the network is back
    await backoff.changed.until(() => backoff.delays.length === 1, "the first backoff");
    const { customerId } = await ws.admin.enroll({ customerExternalId: "while-offline", journeyKey: "feed", staffId: app.staff.id });
    backoff.release(); // attempt 1 fails: still offline
    await backoff.changed.until(() => backoff.delays.length === 2, "the second, longer backoff");
    app.wx.setOnline(true);
    backoff.release(); // attempt 2 connects; the feed catches up through tasksSince
    await feed.until((items) => items.length === 2, "the task created while disconnected");

    // Equal jitter pinned at 0.5: attempt n waits 3/4 of min(30 s, 1 s × 2^n).
    expect(backoff.delays).toEqual([750, 1_500]);
    expect(app.wx.sockets.length).toBeGreaterThanOrEqual(2);
    expect(feed.items.map((i) => i.task.customerId)).toEqual([feed.items[0]!.task.customerId, customerId]);

    // Completing it (over wx.request) comes back on the feed as an update, not as a new task.
    await app.client.completeTask(feed.items[1]!.task.id);
    await feed.until((items) => items.length === 3, "the UPDATED notice");
    expect(feed.items[2]).toMatchObject({ change: "UPDATED", task: { id: feed.items[1]!.task.id, status: "DONE" } });
    const ids = feed.items.filter((i) => i.change === "CREATED").map((i) => i.task.id);
    expect(new Set(ids).size).toBe(ids.length);
    running.unsubscribe();
  });

  it("keeps other subscriptions on the socket when one is stopped from inside its own next()", async () => {
    const ws = await gw.workspace();
    await using app = await staffApp(ws, "gina");
    const feed = recorder<TaskFeedItem>();
    app.client.taskFeed(feed, { initialCursor: "0", settleMs: 0 });
    const Hello = graphql(`query Hello { viewer { kind } }`);
    await new Promise<void>((resolve) => {
      const stop = app.client.subscribe(Hello, {}, { next: () => (stop(), resolve()) });
    });
    await settle(app.client);
    await ws.admin.enroll({ customerExternalId: "after-stop", journeyKey: "feed", staffId: app.staff.id });
    await feed.until((items) => items.length === 1, "a live task on the same socket");
    expect(app.wx.sockets).toHaveLength(1);
  });

  it("hands a subscription a typed FORBIDDEN error when the gateway refuses the token", async () => {
    const ws = await gw.workspace();
    const wx = createFakeWx();
    const client = createWxClient({ url: gw.url, wx, token: "not-a-token" });
    const errors = recorder<unknown>();
    client.taskFeed({ next: () => {}, error: errors.next });
    await errors.until((e) => e.length === 1, "the feed's error");
    expect(errors.items[0]).toBeInstanceOf(GraphQLResponseError);
    expect(errors.items[0]).toMatchObject({ code: "FORBIDDEN" });
    await expect(client.board()).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await client.dispose();
    void ws;
  });
});
