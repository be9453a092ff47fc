import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAccessTokenProvider, type TokenCredentials } from "../../src/channels/access-token.js";
import { ChannelError } from "../../src/channels/errors.js";
import { requestJson } from "../../src/channels/http.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fetchViaMsw = (input: string, init?: RequestInit) => globalThis.fetch(input, init);
const WECOM: TokenCredentials = { provider: "wecom", corpId: "wwcorp", secret: "s3cret" };
const WECHAT: TokenCredentials = { provider: "wechat", appId: "wxapp", secret: "appsecret" };

function clock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** gettoken handler that counts calls, optionally waits on a gate so callers overlap. */
function wecomTokenEndpoint(opts: { gate?: Promise<void>; expiresIn?: number; failFirst?: number } = {}) {
  const state = { calls: 0, issued: [] as string[] };
  server.use(
    http.get("https://qyapi.weixin.qq.com/cgi-bin/gettoken", async ({ request }) => {
      state.calls++;
      const url = new URL(request.url);
      if (opts.gate) await opts.gate;
      if (opts.failFirst && state.calls <= opts.failFirst) return HttpResponse.json({ errcode: -1, errmsg: "system busy" });
      const token = `T${state.calls}-${url.searchParams.get("corpsecret")}`;
      state.issued.push(token);
      return HttpResponse.json({ errcode: 0, errmsg: "ok", access_token: token, expires_in: opts.expiresIn ?? 7200 });
    }),
  );
  return state;
}

/** A WeCom API that accepts only the given tokens; others get `errcode`. */
function wecomApi(valid: (token: string, call: number) => boolean, errcode = 42001) {
  const state = { calls: 0 };
  server.use(
    http.post("https://qyapi.weixin.qq.com/cgi-bin/externalcontact/remind_groupmsg_send", ({ request }) => {
      state.calls++;
      const token = new URL(request.url).searchParams.get("access_token") ?? "";
      return HttpResponse.json(valid(token, state.calls) ? { errcode: 0, errmsg: "ok" } : { errcode, errmsg: "token rejected" });
    }),
  );
  return state;
}

const callApi = (token: string) =>
  requestJson(fetchViaMsw, "wecom", `https://qyapi.weixin.qq.com/cgi-bin/externalcontact/remind_groupmsg_send?access_token=${token}`, {
    method: "POST",
    body: { msgid: "m" },
  });

describe("access token cache", () => {
  it("fetches once and reuses the token until expiry minus the safety margin", async () => {
    const c = clock();
    const ep = wecomTokenEndpoint({ expiresIn: 7200 });
    const tokens = createAccessTokenProvider({ fetch: fetchViaMsw, now: c.now, safetyMarginMs: 300_000 });
    expect(await tokens.get(WECOM)).toBe("T1-s3cret");
    c.advance(6_899_000);
    expect(await tokens.get(WECOM)).toBe("T1-s3cret");
    expect(ep.calls).toBe(1);
    c.advance(1_000); // 6900 s = 7200 - 300
    expect(await tokens.get(WECOM)).toBe("T2-s3cret");
    expect(ep.calls).toBe(2);
  });

  it("50 concurrent callers cause exactly 1 HTTP call", async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const ep = wecomTokenEndpoint({ gate });
    const tokens = createAccessTokenProvider({ fetch: fetchViaMsw, now: clock().now });
    const all = Promise.all(Array.from({ length: 50 }, () => tokens.get(WECOM)));
    await new Promise((r) => setTimeout(r, 10)); // let every caller reach the in-flight promise
    open();
    const got = await all;
    expect(ep.calls).toBe(1);
    expect(new Set(got)).toEqual(new Set(["T1-s3cret"]));
  });

  it("keys the cache by credential: another secret gets its own token", async () => {
    const ep = wecomTokenEndpoint();
    const tokens = createAccessTokenProvider({ fetch: fetchViaMsw, now: clock().now });
    await tokens.get(WECOM);
    await tokens.get({ ...WECOM, secret: "other" });
    await tokens.get(WECOM);
    expect(ep.calls).toBe(2);
  });

  it("does not cache a failed fetch", async () => {
    const ep = wecomTokenEndpoint({ failFirst: 1 });
    const tokens = createAccessTokenProvider({ fetch: fetchViaMsw, now: clock().now });
    await expect(tokens.get(WECOM)).rejects.toMatchObject({ code: -1, permanent: false });
    expect(await tokens.get(WECOM)).toBe("T2-s3cret");
    expect(ep.calls).toBe(2);
  });

  it.each([40014, 42001])("on errcode %i invalidates, refetches once and retries once", async (code) => {
    const ep = wecomTokenEndpoint();
    const api = wecomApi((t) => t !== "T1-s3cret", code);
    const tokens = createAccessTokenProvider({ fetch: fetchViaMsw, now: clock().now });
    await expect(tokens.withToken(WECOM, callApi)).resolves.toMatchObject({ errcode: 0 });
    expect(ep.calls).toBe(2);
    expect(api.calls).toBe(2);
  });

  it("50 concurrent calls hitting an expired token refresh it once", async () => {
    const ep = wecomTokenEndpoint();
    const api = wecomApi((t) => t !== "T1-s3cret");
    const tokens = createAccessTokenProvider({ fetch: fetchViaMsw, now: clock().now });
    await tokens.get(WECOM); // T1 cached; the server considers it expired
    await Promise.all(Array.from({ length: 50 }, () => tokens.withToken(WECOM, callApi)));
    expect(ep.calls).toBe(2);
    expect(api.calls).toBe(100);
  });

  it("gives up after one retry when the fresh token is rejected too", async () => {
    const ep = wecomTokenEndpoint();
    // A third attempt would succeed: proves we stop after exactly one retry rather than looping.
    const api = wecomApi((_t, call) => call > 2, 40014);
    const tokens = createAccessTokenProvider({ fetch: fetchViaMsw, now: clock().now });
    const err = await tokens.withToken(WECOM, callApi).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(err).toMatchObject({ code: 40014, provider: "wecom" });
    expect(ep.calls).toBe(2);
    expect(api.calls).toBe(2);
  });

  it("does not retry other errors", async () => {
    const ep = wecomTokenEndpoint();
    const api = wecomApi(() => false, 84061);
    const tokens = createAccessTokenProvider({ fetch: fetchViaMsw, now: clock().now });
    await expect(tokens.withToken(WECOM, callApi)).rejects.toMatchObject({ code: 84061, permanent: true });
    expect(ep.calls).toBe(1);
    expect(api.calls).toBe(1);
  });

  it("invalidating a stale token keeps the newer one", async () => {
    const c = clock();
    const ep = wecomTokenEndpoint({ expiresIn: 400 });
    const tokens = createAccessTokenProvider({ fetch: fetchViaMsw, now: c.now, safetyMarginMs: 300_000 });
    const t1 = await tokens.get(WECOM);
    c.advance(100_000);
    const t2 = await tokens.get(WECOM);
    expect(t2).not.toBe(t1);
    tokens.invalidate(WECOM, t1);
    expect(await tokens.get(WECOM)).toBe(t2);
    expect(ep.calls).toBe(2);
  });

  it("uses /cgi-bin/token for WeChat apps and treats 40001 as a stale token", async () => {
    let tokenCalls = 0;
    server.use(
      http.get("https://api.weixin.qq.com/cgi-bin/token", ({ request }) => {
        tokenCalls++;
        const q = new URL(request.url).searchParams;
        expect(q.get("grant_type")).toBe("client_credential");
        expect(q.get("appid")).toBe("wxapp");
        expect(q.get("secret")).toBe("appsecret");
        return HttpResponse.json({ access_token: `W${tokenCalls}`, expires_in: 7200 });
      }),
      http.post("https://api.weixin.qq.com/cgi-bin/message/custom/send", ({ request }) => {
        const t = new URL(request.url).searchParams.get("access_token");
        return HttpResponse.json(t === "W1" ? { errcode: 40001, errmsg: "invalid credential, access_token is invalid or not latest" } : { errcode: 0, errmsg: "ok" });
      }),
    );
    const tokens = createAccessTokenProvider({ fetch: fetchViaMsw, now: clock().now });
    const res = await tokens.withToken(WECHAT, (t) =>
      requestJson(fetchViaMsw, "wechat", `https://api.weixin.qq.com/cgi-bin/message/custom/send?access_token=${t}`, { method: "POST", body: {} }),
    );
    expect(res.errcode).toBe(0);
    expect(tokenCalls).toBe(2);
  });

  it("rejects a token reply without access_token", async () => {
    server.use(http.get("https://qyapi.weixin.qq.com/cgi-bin/gettoken", () => HttpResponse.json({ errcode: 0, errmsg: "ok" })));
    const tokens = createAccessTokenProvider({ fetch: fetchViaMsw, now: clock().now });
    await expect(tokens.get(WECOM)).rejects.toMatchObject({ code: "bad_response" });
  });
});
