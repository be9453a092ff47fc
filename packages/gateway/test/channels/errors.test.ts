import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ChannelError, classifyErrcode, classifyHttpStatus, invalidRequest, isTransient, networkError } from "../../src/channels/errors.js";
import { requestJson } from "../../src/channels/http.js";
import { backoffDelay, withRetry } from "../../src/channels/retry.js";

describe("classifyErrcode", () => {
  it.each([
    ["wechat", 43101],
    ["wecom", 41051],
    ["wecom", 84061],
    ["wechat", 47003],
    ["wechat", 41030],
    ["wechat", 40003],
    ["wechat", 45015],
    ["wechat", 48001],
    ["wecom", 40096],
  ] as const)("%s %i is permanent", (provider, code) => {
    const e = classifyErrcode(provider, code, "msg");
    expect(e).toBeInstanceOf(ChannelError);
    expect(e).toMatchObject({ code, provider, permanent: true });
    expect(e.message).toContain(String(code));
  });

  it.each([
    ["wecom", -1],
    ["wecom", 45009],
    ["wecom", 45033],
    ["wechat", 45009],
    ["wechat", 45011],
    ["wecom", 42001],
    ["wechat", 40001],
  ] as const)("%s %i is transient", (provider, code) => {
    expect(classifyErrcode(provider, code).permanent).toBe(false);
  });

  it("40001 is a config error on WeCom (bad secret) but a stale token on WeChat", () => {
    expect(classifyErrcode("wecom", 40001).permanent).toBe(true);
    expect(classifyErrcode("wechat", 40001).permanent).toBe(false);
  });

  it("unknown codes are permanent so sends are not blindly repeated", () => {
    expect(classifyErrcode("wecom", 999_999).permanent).toBe(true);
  });

  it("HTTP 5xx/429 transient, other 4xx permanent; network transient; validation permanent", () => {
    expect(classifyHttpStatus("wecom", 503)).toMatchObject({ permanent: false, httpStatus: 503, code: "http_503" });
    expect(classifyHttpStatus("wecom", 429).permanent).toBe(false);
    expect(classifyHttpStatus("wecom", 404).permanent).toBe(true);
    expect(networkError("wechat", new Error("ECONNRESET"))).toMatchObject({ permanent: false, code: "network" });
    expect(invalidRequest("wechat", "data.thing1.value", "too long", 20)).toMatchObject({ permanent: true, field: "data.thing1.value", limit: 20 });
    expect(isTransient(new Error("x"))).toBe(false);
  });
});

describe("requestJson error mapping (msw)", () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const f = (i: string, init?: RequestInit) => globalThis.fetch(i, init);
  const URL_ = "https://qyapi.weixin.qq.com/cgi-bin/x";

  it("maps network errors, 5xx, errcodes and non-JSON", async () => {
    server.use(http.post(URL_, () => HttpResponse.error()));
    await expect(requestJson(f, "wecom", URL_, { method: "POST", body: {} })).rejects.toMatchObject({ code: "network", permanent: false });
    server.use(http.post(URL_, () => new HttpResponse("bad gateway", { status: 502 })));
    await expect(requestJson(f, "wecom", URL_, { method: "POST", body: {} })).rejects.toMatchObject({ code: "http_502", permanent: false });
    server.use(http.post(URL_, () => HttpResponse.json({ errcode: 84061, errmsg: "not external contact" })));
    await expect(requestJson(f, "wecom", URL_, { method: "POST", body: {} })).rejects.toMatchObject({ code: 84061, permanent: true });
    server.use(http.post(URL_, () => new HttpResponse("<html>", { status: 200 })));
    await expect(requestJson(f, "wecom", URL_, { method: "POST", body: {} })).rejects.toMatchObject({ code: "bad_response" });
    server.use(http.post(URL_, () => HttpResponse.json({ errcode: 0, errmsg: "ok", msgid: "m1" })));
    await expect(requestJson(f, "wecom", URL_, { method: "POST", body: {} })).resolves.toMatchObject({ msgid: "m1" });
  });
});

describe("withRetry", () => {
  it("retries transient errors with exponential backoff through the injected sleep", async () => {
    const waits: number[] = [];
    let n = 0;
    const result = await withRetry(
      async () => {
        if (++n < 3) throw classifyErrcode("wecom", -1);
        return "done";
      },
      { attempts: 3, baseDelayMs: 100, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe("done");
    expect(waits).toEqual([100, 200]);
  });

  it("stops at permanent errors and after the last attempt", async () => {
    let n = 0;
    const sleep = async () => {};
    await expect(withRetry(async () => { n++; throw classifyErrcode("wechat", 43101); }, { sleep })).rejects.toMatchObject({ code: 43101 });
    expect(n).toBe(1);
    n = 0;
    await expect(withRetry(async () => { n++; throw classifyErrcode("wecom", 45033); }, { attempts: 4, sleep })).rejects.toMatchObject({ code: 45033 });
    expect(n).toBe(4);
  });

  it("caps the delay and keeps at least half with jitter", async () => {
    expect(backoffDelay(20, 500, 30_000)).toBe(30_000);
    const waits: number[] = [];
    let n = 0;
    await withRetry(
      async () => {
        if (++n < 3) throw classifyErrcode("wecom", -1);
      },
      { baseDelayMs: 1000, sleep: async (ms) => void waits.push(ms), random: () => 0 },
    );
    expect(waits).toEqual([500, 1000]);
  });
});
