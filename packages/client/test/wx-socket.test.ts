import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createFakeWx, type FakeWx } from "../src/testing/fake-wx.js";
import {
  createSubscriptionClient,
  createWxWebSocket,
  GraphQLResponseError,
  NetworkError,
  type SubscriptionClient,
  type WxSocketApi,
} from "../src/transport/index.js";
import { collector, retryGate } from "./helpers/collect.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const clients: SubscriptionClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await server.changed.until(() => server.subscriberCount() === 0, "server subscriptions to end");
});

function wxClient(wx: FakeWx, options: Partial<Parameters<typeof createSubscriptionClient>[0]> = {}): SubscriptionClient {
  const client = createSubscriptionClient({
    url: server.wsUrl,
    webSocketImpl: createWxWebSocket({ wx }),
    retryWait: async () => {},
    ...options,
  });
  clients.push(client);
  return client;
}

const ITEMS = { query: "subscription { items { cursor title } }" };
type ItemsData = { items: { cursor: number; title: string } };

describe("subscriptions over wx.connectSocket (createWxWebSocket)", () => {
  it("delivers live items over a real graphql-ws server with the graphql-transport-ws subprotocol", async () => {
    const wx = createFakeWx();
    const sink = collector<ItemsData>();
    const stop = wxClient(wx).subscribe<ItemsData>(ITEMS, sink);
    await server.changed.until(() => server.subscriberCount() === 1, "subscription registered");
    const a = server.createItem("a");
    const b = server.createItem("b");
    await sink.changed.until(() => sink.results.length === 2, "two items");
    expect(sink.results.map((r) => r.data?.items)).toEqual([a, b]);
    expect(wx.sockets[0]?.protocols).toEqual(["graphql-transport-ws"]);
    stop();
    await sink.changed.until(() => sink.completed, "completion after unsubscribe");
  });

  it("carries the token in connectionParams, asked again on every connection", async () => {
    const wx = createFakeWx();
    const sink = collector<{ whoami: string }>();
    wxClient(wx, { token: () => "staff-7" }).subscribe({ query: "subscription { whoami }" }, sink);
    await sink.changed.until(() => sink.completed, "whoami to complete");
    expect(sink.results.map((r) => r.data?.whoami)).toEqual(["Bearer staff-7"]);
  });

  it("reports a rejected token (close 4403) as FORBIDDEN and does not retry it", async () => {
    const wx = createFakeWx();
    const gate = retryGate();
    const sink = collector();
    wxClient(wx, { token: "bad", retryWait: gate.retryWait }).subscribe(ITEMS, sink);
    await sink.changed.until(() => sink.errors.length === 1, "the error");
    expect(sink.errors[0]).toBeInstanceOf(GraphQLResponseError);
    expect(sink.errors[0]).toMatchObject({ code: "FORBIDDEN" });
    expect(gate.calls).toEqual([]);
    expect(wx.sockets).toHaveLength(1);
  });

  it("reconnects after the socket drops (1006) using the injected retryWait, and says it was a reconnect", async () => {
    const wx = createFakeWx();
    const gate = retryGate();
    const client = wxClient(wx, { retryWait: gate.retryWait });
    const connections: boolean[] = [];
    client.onConnected((info) => connections.push(info.reconnected));
    const sink = collector<ItemsData>();
    client.subscribe<ItemsData>(ITEMS, sink);
    await server.changed.until(() => server.subscriberCount() === 1, "first subscription");

    expect(wx.dropSockets()).toBe(1);
    await gate.changed.until(() => gate.calls.length === 1, "retryWait to be asked");
    expect(gate.calls).toEqual([0]);
    gate.open();
    await server.changed.until(() => server.subscriberCount() === 1 && wx.sockets.length === 2, "resubscribed");
    const item = server.createItem("after reconnect");
    await sink.changed.until(() => sink.results.length === 1, "the item");
    expect(sink.results[0]?.data?.items).toEqual(item);
    expect(connections).toEqual([false, true]);
    expect(sink.errors).toEqual([]);
  });

  it("keeps retrying while offline and reconnects when back online", async () => {
    const wx = createFakeWx();
    const gate = retryGate();
    const client = wxClient(wx, { retryWait: gate.retryWait });
    const sink = collector<ItemsData>();
    client.subscribe<ItemsData>(ITEMS, sink);
    await server.changed.until(() => server.subscriberCount() === 1, "first subscription");

    wx.setOnline(false);
    await gate.changed.until(() => gate.calls.length === 1, "first retry");
    gate.open(); // this attempt fails: the fake is offline (error event, then 1006)
    await gate.changed.until(() => gate.calls.length === 2, "second retry");
    expect(gate.calls).toEqual([0, 1]); // backoff grows
    wx.setOnline(true);
    gate.open();
    await server.changed.until(() => server.subscriberCount() === 1, "resubscribed");
    const item = server.createItem("back online");
    await sink.changed.until(() => sink.results.length === 1, "the item");
    expect(sink.results[0]?.data?.items).toEqual(item);
    expect(sink.errors).toEqual([]);
  });

  it("works with the ws package on Node as well", async () => {
    const sink = collector<ItemsData>();
    const client = createSubscriptionClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryWait: async () => {} });
    clients.push(client);
    client.subscribe<ItemsData>(ITEMS, sink);
    await server.changed.until(() => server.subscriberCount() === 1, "subscription registered");
    server.createItem("node");
    await sink.changed.until(() => sink.results.length === 1, "the item");
  });
});

describe("createWxWebSocket edge cases", () => {
  it("turns a connectSocket `fail` into an error and a single 1006 close", async () => {
    const wx: WxSocketApi = {
      connectSocket: (option) => {
        setTimeout(() => option.fail?.({ errMsg: "connectSocket:fail url not in domain list" }), 0);
        const noop = () => {};
        return { onOpen: noop, onMessage: noop, onClose: noop, onError: noop, send: noop, close: noop };
      },
    };
    const sink = collector();
    const client = createSubscriptionClient({ url: "wss://not-allowed/graphql", webSocketImpl: createWxWebSocket({ wx }), retryAttempts: 0 });
    client.subscribe(ITEMS, sink);
    await sink.changed.until(() => sink.errors.length === 1, "the error");
    expect(sink.errors[0]).toBeInstanceOf(NetworkError);
    expect(sink.errors[0]?.message).toBe("Expected a subscription socket, but it failed: connectSocket:fail url not in domain list");
    await client.dispose();
  });

  it("refuses any subprotocol but graphql-transport-ws", () => {
    const Impl = createWxWebSocket({ wx: createFakeWx() });
    expect(() => new Impl("ws://x", "graphql-ws")).toThrow('Expected the "graphql-transport-ws" subprotocol, got ["graphql-ws"]');
  });
});
