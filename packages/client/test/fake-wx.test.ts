import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeWx } from "../src/testing/fake-wx.js";
import type { WxCallbackResult, WxRequestSuccessResult } from "../src/transport/index.js";
import { createSignal } from "./helpers/signal.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

function call(wx: ReturnType<typeof createFakeWx>, data: unknown, method: "GET" | "POST" = "POST") {
  return new Promise<{ ok?: WxRequestSuccessResult; fail?: WxCallbackResult; complete?: WxCallbackResult }>((resolve) => {
    const out: { ok?: WxRequestSuccessResult; fail?: WxCallbackResult; complete?: WxCallbackResult } = {};
    wx.request({
      url: server.url,
      method,
      header: { accept: "application/graphql-response+json" },
      data: data as Record<string, unknown>,
      success: (res) => (out.ok = res),
      fail: (res) => (out.fail = res),
      complete: (res) => {
        out.complete = res;
        resolve(out);
      },
    });
  });
}

describe("createFakeWx", () => {
  it("wx.request: success for any HTTP status with errMsg request:ok, JSON-parsed data, server-cased headers", async () => {
    const wx = createFakeWx();
    const ok = await call(wx, { query: "{ hello }" });
    expect(ok.ok).toMatchObject({ statusCode: 200, errMsg: "request:ok", data: { data: { hello: "hello world" } } });
    expect(ok.ok?.header["Content-Type"]).toMatch(/json/);
    expect(ok.complete).toEqual({ errMsg: "request:ok" });
    const bad = await call(wx, { query: "{ nope }" });
    expect(bad.ok?.statusCode).toBe(400); // still `success`: wx only fails when no response arrives
    expect(bad.fail).toBeUndefined();
  });

  it("wx.request: GET turns object data into a query string", async () => {
    const res = await call(createFakeWx(), { query: "{ hello }" }, "GET");
    expect(res.ok?.data).toEqual({ data: { hello: "hello world" } });
  });

  it("wx.request offline: asynchronous fail with a request:fail errMsg", async () => {
    const wx = createFakeWx({ online: false });
    const res = await call(wx, { query: "{ hello }" });
    expect(res.fail).toEqual({ errMsg: "request:fail -2:net::ERR_INTERNET_DISCONNECTED" });
    expect(res.ok).toBeUndefined();
  });

  it("storage: missing keys read as an empty string, values are stored as JSON copies", () => {
    const wx = createFakeWx();
    expect(wx.getStorageSync("missing")).toBe("");
    const value = { list: [1, 2] };
    wx.setStorageSync("k", value);
    value.list.push(3);
    expect(wx.getStorageSync("k")).toEqual({ list: [1, 2] });
    expect(createFakeWx({ storage: wx.storage }).getStorageSync("k")).toEqual({ list: [1, 2] }); // "restart"
    wx.removeStorageSync("k");
    expect(wx.getStorageSync("k")).toBe("");
  });

  it("connectSocket: connectSocket:ok, real frames, and 1006 when dropped", async () => {
    const wx = createFakeWx();
    const changed = createSignal();
    const log: string[] = [];
    const push = (entry: string) => {
      log.push(entry);
      changed.notify();
    };
    const task = wx.connectSocket({ url: server.wsUrl, protocols: ["graphql-transport-ws"], success: (r) => push(r.errMsg) });
    task.onOpen(() => {
      push("open");
      task.send({ data: JSON.stringify({ type: "connection_init" }) });
    });
    task.onMessage(({ data }) => push(`message ${String(data)}`));
    task.onClose(({ code }) => push(`close ${code}`));
    await changed.until(() => log.includes('message {"type":"connection_ack"}'), "ack");
    expect(wx.sockets[0]?.open).toBe(true);
    expect(wx.dropSockets()).toBe(1);
    await changed.until(() => log.includes("close 1006"), "abnormal close");
    expect(log).toEqual(["connectSocket:ok", "open", 'message {"type":"connection_ack"}', "close 1006"]);
    expect(wx.sockets[0]?.open).toBe(false);
  });

  it("network status: listeners hear offline and online, and can be removed", () => {
    const wx = createFakeWx();
    const heard: boolean[] = [];
    const listener = (s: { isConnected: boolean }) => heard.push(s.isConnected);
    wx.onNetworkStatusChange(listener);
    wx.setOnline(false);
    wx.setOnline(true);
    wx.offNetworkStatusChange?.(listener);
    wx.setOnline(false);
    expect(heard).toEqual([false, true]);
    expect(wx.isOnline()).toBe(false);
  });
});
