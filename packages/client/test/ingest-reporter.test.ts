// Issue 4, point 3: offline-tolerant event reporting wired to ingestEvents, against a REAL
// gateway (which dedupes by event id), with the network cut and restored through the fake wx.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeWx } from "../src/testing/index.js";
import { NetworkError, createIngestReporter, createWxClient, createWxIngestReporter, memoryStorage, type SoplineClient } from "../src/wx.js";
import { startGateway, type GatewayFixture } from "./helpers/gateway.js";

describe("event reporting through ingestEvents while the network comes and goes", () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.[Symbol.asyncDispose]();
  });

  const storedEvents = async (workspaceId: string) =>
    (await gw.gateway.db.sql.query<{ event_id: string; name: string }>(`SELECT event_id, name FROM events WHERE workspace_id = $1 ORDER BY at, event_id`, [workspaceId])).map(
      (r) => `${r.event_id}:${r.name}`,
    );
  const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

  it("sends events reported offline once, in order, with their ids, after the network is back", async () => {
    const ws = await gw.workspace();
    const { customerId } = await ws.admin.enroll({ customerExternalId: "visitor", journeyKey: "feed" });
    // ingestEvents takes a workspace API key (the gateway refuses staff tokens for it).
    const wx = createFakeWx();
    const client = createWxClient({ url: gw.url, wx, token: ws.apiKey });
    const reporter = createWxIngestReporter(client, { wx });

    wx.setOnline(false);
    const clickedAt = minutesAgo(3);
    reporter.report({ id: "ev-1", customer: "visitor", name: "link.clicked", occurredAt: clickedAt });
    reporter.report({ id: "ev-2", customer: "visitor", name: "message.replied", occurredAt: minutesAgo(2) });
    reporter.report({ id: "ev-3", customer: "visitor", name: "demo.attended", occurredAt: minutesAgo(1), data: { demo: "2026 Q4" } });
    const offline = await reporter.flush();
    expect(offline).toMatchObject({ sent: 0, pending: 3, error: expect.any(NetworkError) });
    expect(JSON.parse(wx.storage.get("sopline.eventQueue.v1")!)).toContain('"ev-3"'); // persisted, as wx stores it

    wx.setOnline(true); // wx.onNetworkStatusChange → flush
    await expect.poll(() => reporter.pending().length).toBe(0);

    const sent = wx.requests.filter((r) => typeof r.data === "string" && r.data.includes("IngestEvents")).map((r) => JSON.parse(r.data as string).variables.events);
    const accepted = sent.at(-1) as { id: string; at: string }[];
    expect(accepted.map((e) => e.id)).toEqual(["ev-1", "ev-2", "ev-3"]);
    expect(accepted[0]!.at).toBe(clickedAt); // when it happened, not when it was finally sent
    expect(await storedEvents(ws.id)).toEqual(["ev-1:link.clicked", "ev-2:message.replied", "ev-3:demo.attended"]);
    expect((await ws.admin.customer(customerId)).journeys[0]).toMatchObject({ stage: "interested" });
    reporter.dispose();
    await client.dispose();
  });

  it("resends a batch whose response was lost, and the gateway counts it once", async () => {
    const ws = await gw.workspace();
    await ws.admin.enroll({ customerExternalId: "reader", journeyKey: "feed" });
    const results: { accepted: number; duplicates: number }[] = [];
    let loseNextResponse = true;
    const lossy: Pick<SoplineClient, "ingestEvents"> = {
      ingestEvents: async (events) => {
        const result = await ws.admin.ingestEvents(events); // reaches the gateway…
        results.push(result);
        if (loseNextResponse) {
          loseNextResponse = false; // …but the answer never comes back
          throw new NetworkError({ kind: "timeout", message: "response lost" });
        }
        return result;
      },
    };
    const reporter = createIngestReporter(lossy, { storage: memoryStorage(), autoFlush: false });
    reporter.report({ id: "r-1", customer: "reader", name: "article.read", occurredAt: minutesAgo(2) });
    reporter.report({ id: "r-2", customer: "reader", name: "link.clicked", occurredAt: minutesAgo(1) });
    expect(await reporter.flush()).toMatchObject({ sent: 0, pending: 2 });
    expect(await reporter.flush()).toMatchObject({ sent: 2, pending: 0 });
    expect(results).toEqual([expect.objectContaining({ accepted: 2, duplicates: 0 }), expect.objectContaining({ accepted: 0, duplicates: 2 })]);
    expect(await storedEvents(ws.id)).toEqual(["r-1:article.read", "r-2:link.clicked"]);
  });

  it("keeps the queue across an app restart (wx storage) and sends it from the new app", async () => {
    const ws = await gw.workspace();
    await ws.admin.enroll({ customerExternalId: "returning", journeyKey: "feed" });
    const before = createFakeWx({ online: false });
    const first = createWxIngestReporter(createWxClient({ url: gw.url, wx: before, token: ws.apiKey }), { wx: before });
    first.report({ id: "s-1", customer: "returning", name: "app.opened", occurredAt: minutesAgo(1) });
    await first.flush();
    first.dispose(); // the app is killed with one event queued

    const after = createFakeWx({ storage: before.storage });
    const second = createWxIngestReporter(createWxClient({ url: gw.url, wx: after, token: ws.apiKey }), { wx: after });
    expect(second.pending().map((e) => e.id)).toEqual(["s-1"]);
    expect(await second.flush()).toMatchObject({ sent: 1, pending: 0 });
    expect(await storedEvents(ws.id)).toEqual(["s-1:app.opened"]);
  });

  it("drops events the gateway refuses for good and reports them, so they never block the queue", async () => {
    const ws = await gw.workspace();
    await ws.admin.enroll({ customerExternalId: "known", journeyKey: "feed" });
    const rejected: unknown[] = [];
    const reporter = createIngestReporter(ws.admin, { storage: memoryStorage(), autoFlush: false, onRejected: (r) => rejected.push(...r) });
    reporter.report({ id: "x-1", customer: "nobody", name: "link.clicked", occurredAt: minutesAgo(2) });
    reporter.report({ id: "x-2", customer: "known", name: "link.clicked", occurredAt: minutesAgo(1) });
    expect(await reporter.flush()).toMatchObject({ sent: 2, pending: 0 });
    expect(rejected).toEqual([expect.objectContaining({ index: 0, id: "x-1", code: "UNKNOWN_CUSTOMER" })]);
    expect(await storedEvents(ws.id)).toEqual(["x-2:link.clicked"]);
  });
});
