import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAccessTokenProvider } from "../../src/channels/access-token.js";
import { createFakeWeCom, type FakeWeCom } from "../../src/channels/testing/fake-wecom.js";
import { createWeChatApi, type WeChatApi } from "../../src/channels/wechat/api.js";
import type { SubscribeMessage } from "../../src/channels/wechat/types.js";

const OA = { appId: "wxoa000001", secret: "oa-secret", templateIds: ["TPL_ORDER"] };
const MP = { appId: "wxmp000001", secret: "mp-secret", templateIds: ["SUB_DEMO"], pages: ["pages/demo/index"] };
const H = 3_600_000;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let now = Date.UTC(2025, 5, 1, 0, 0, 0);
let fake: FakeWeCom;
let oa: WeChatApi;
let mp: WeChatApi;

beforeEach(() => {
  now = Date.UTC(2025, 5, 1, 0, 0, 0);
  fake = createFakeWeCom({ now: () => now, apps: [OA, MP] });
  server.use(...fake.handlers);
  const fetch = (i: string, init?: RequestInit) => globalThis.fetch(i, init);
  const tokens = createAccessTokenProvider({ fetch, now: () => now });
  oa = createWeChatApi({ fetch, tokens, appId: OA.appId, secret: OA.secret, now: () => now });
  mp = createWeChatApi({ fetch, tokens, appId: MP.appId, secret: MP.secret, now: () => now });
});

describe("official account custom message (48 h window)", () => {
  it("sends inside the window with the documented body", async () => {
    fake.follow(OA.appId, "oOpenid1", { lastInteractionAt: now - 47 * H });
    const msg = { touser: "oOpenid1", msgtype: "text" as const, text: { content: "您好，试驾预约已确认" } };
    await oa.sendCustomMessage(msg, { lastInteractionAt: now - 47 * H });
    expect(fake.callsTo("/cgi-bin/message/custom/send")[0]?.body).toEqual(msg);
    expect(fake.sent.custom).toHaveLength(1);
  });

  it("refuses outside the window or without any interaction, without calling WeChat", async () => {
    const msg = { touser: "oOpenid1", msgtype: "text" as const, text: { content: "hi" } };
    await expect(oa.sendCustomMessage(msg, { lastInteractionAt: now - 48 * H })).rejects.toMatchObject({ code: "service_window_closed", permanent: true });
    await expect(oa.sendCustomMessage(msg, { lastInteractionAt: null })).rejects.toMatchObject({ code: "service_window_closed" });
    expect(fake.calls).toHaveLength(0);
  });

  it("maps the server's 45015 when our interaction record is stale", async () => {
    fake.follow(OA.appId, "oOpenid1", { lastInteractionAt: now - 49 * H });
    await expect(oa.sendCustomMessage({ touser: "oOpenid1", msgtype: "text", text: { content: "hi" } }, { lastInteractionAt: now - H })).rejects.toMatchObject({
      code: 45015,
      permanent: true,
      provider: "wechat",
    });
  });

  it("rejects news with more than one article", async () => {
    const articles = [
      { title: "a", url: "https://x/a" },
      { title: "b", url: "https://x/b" },
    ] as unknown as [{ title: string; url: string }];
    await expect(oa.sendCustomMessage({ touser: "o", msgtype: "news", news: { articles } }, { lastInteractionAt: now })).rejects.toMatchObject({ field: "news.articles", limit: 1 });
  });
});

describe("official account template message", () => {
  it("sends and returns the msgid", async () => {
    fake.follow(OA.appId, "oOpenid1");
    const msg = { touser: "oOpenid1", template_id: "TPL_ORDER", url: "https://x/o/1", client_msg_id: "step-42-oOpenid1", data: { thing1: { value: "试驾预约" } } };
    const res = await oa.sendTemplateMessage(msg);
    expect(typeof res.msgid).toBe("number");
    expect(fake.callsTo("/cgi-bin/message/template/send")[0]?.body).toEqual(msg);
  });

  it("maps unknown openid (40003) and unsubscribed follower (43004) to permanent errors", async () => {
    await expect(oa.sendTemplateMessage({ touser: "oNobody", template_id: "TPL_ORDER", data: { a: { value: "x" } } })).rejects.toMatchObject({ code: 40003, permanent: true });
    fake.follow(OA.appId, "oGone");
    fake.unfollow(OA.appId, "oGone");
    await expect(oa.sendTemplateMessage({ touser: "oGone", template_id: "TPL_ORDER", data: { a: { value: "x" } } })).rejects.toMatchObject({ code: 43004, permanent: true });
  });
});

describe("mini-program subscribe message", () => {
  const base: SubscribeMessage = {
    touser: "oMp1",
    template_id: "SUB_DEMO",
    page: "pages/demo/index?id=7",
    data: { thing1: { value: "产品演示会" }, phrase2: { value: "已预约" }, name3: { value: "张三" }, time4: { value: "2025年6月2日 15:00" } },
    miniprogram_state: "formal",
    lang: "zh_CN",
  };

  it("sends the documented body and consumes one authorisation on the server", async () => {
    fake.grantSubscribe(MP.appId, "oMp1", "SUB_DEMO", 1);
    await mp.sendSubscribeMessage(base);
    expect(fake.callsTo("/cgi-bin/message/subscribe/send")[0]?.body).toEqual(base);
    expect(fake.subscribeQuota(MP.appId, "oMp1", "SUB_DEMO")).toBe(0);
    await expect(mp.sendSubscribeMessage(base)).rejects.toMatchObject({ code: 43101, permanent: true });
  });

  it("validates fields before sending, naming the field and limit", async () => {
    const cases: Array<[Record<string, { value: string }>, string, number | undefined]> = [
      [{ thing1: { value: "一二三四五六七八九十一二三四五六七八九十一" } }, "data.thing1.value", 20],
      [{ phrase2: { value: "正在配送中啦" } }, "data.phrase2.value", 5],
      [{ name3: { value: "欧阳一二三四五六七八九" } }, "data.name3.value", 10],
      [{ thing1: { value: "" } }, "data.thing1.value", undefined],
    ];
    for (const [data, field, limit] of cases) {
      const e = await mp.sendSubscribeMessage({ ...base, data }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: "invalid_request", field });
      if (limit !== undefined) expect(e).toMatchObject({ limit });
      expect(String((e as Error).message)).toContain(field);
    }
    await expect(mp.sendSubscribeMessage({ ...base, miniprogram_state: "beta" as never })).rejects.toMatchObject({ field: "miniprogram_state" });
    expect(fake.calls).toHaveLength(0);
  });

  it("maps the server's 41030 invalid page and 40037 invalid template", async () => {
    fake.grantSubscribe(MP.appId, "oMp1", "SUB_DEMO", 2);
    await expect(mp.sendSubscribeMessage({ ...base, page: "pages/missing/index" })).rejects.toMatchObject({ code: 41030, permanent: true });
    await expect(mp.sendSubscribeMessage({ ...base, template_id: "SUB_OTHER" })).rejects.toMatchObject({ code: 40037, permanent: true });
    expect(fake.subscribeQuota(MP.appId, "oMp1", "SUB_DEMO")).toBe(2);
  });
});
