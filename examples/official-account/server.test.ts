// Issue 4, point 5b: the official-account server against a real gateway (in-memory PGlite,
// injected clock) and WeChat's side played by the gateway's msw fake (token + customer-service API).
import { createClient, type SoplineClient } from "@sopline/client";
import { createGateway, type Gateway } from "@sopline/gateway";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeWeCom, type FakeWeCom } from "../../packages/gateway/src/channels/testing/fake-wecom.js";
import { prepareWorkspace } from "./journey.js";
import { ACCOUNT, main, pushUrl } from "./main.js";
import { buildApp, type OfficialAccountApp } from "./server.js";
import { createWeChatApi } from "./wechat-api.js";
import { messageXml, parseMessage } from "./wechat-xml.js";

const APP = { appId: "wx-oa-test", secret: "oa-secret" };
const KEY = "sk_test_official_account_example";
const TOKEN = "oa-server-token";

describe("examples/official-account", () => {
  let now = Date.parse("2026-11-23T10:00:00+08:00");
  let gateway: Gateway;
  let client: SoplineClient;
  let wechat: FakeWeCom;
  let app: OfficialAccountApp;
  let url: string;
  const msw = setupServer();

  beforeAll(async () => {
    gateway = await createGateway({ databaseUrl: "memory://", adminKey: KEY, clock: () => new Date(now) });
    client = createClient({ url: "http://sopline.local/graphql", token: KEY, fetch: async (u, init) => gateway.yoga.fetch(u, init) });
    await prepareWorkspace(client);
    wechat = createFakeWeCom({ now: () => now, apps: [APP] });
    msw.use(...wechat.handlers);
    msw.listen({ onUnhandledRequest: "bypass" }); // the test's own requests to the server pass through
    app = buildApp({ client, wechat: createWeChatApi({ appId: APP.appId, appSecret: APP.secret, now: () => now }), token: TOKEN });
    ({ url } = await app.start(0));
  });
  afterAll(async () => {
    msw.close();
    await app?.stop();
    await gateway?.stop();
  });

  /** The follower writes: WeChat records the interaction (48 h window) and pushes the message. */
  async function follower(openid: string, content: string, msgId: string) {
    wechat.follow(APP.appId, openid, { lastInteractionAt: now });
    const createTime = Math.floor(now / 1000);
    const body = messageXml({ toUserName: ACCOUNT, fromUserName: openid, createTime, msgType: "text", content, msgId });
    const response = await fetch(pushUrl(url, createTime, `n${msgId}`, TOKEN), { method: "POST", headers: { "content-type": "text/xml" }, body });
    const text = await response.text();
    return { status: response.status, text, reply: text === "success" ? undefined : parseMessage(text) };
  }

  const events = async (openid: string) =>
    gateway.db.sql.query<{ event_id: string; name: string }>(
      `SELECT e.event_id, e.name FROM events e JOIN customers c ON c.id = e.customer_id WHERE c.oa_open_id = $1 ORDER BY e.at`,
      [openid],
    );

  it("answers a new follower's first message with the greeting the SOP says is due, reported and acknowledged", async () => {
    const first = await follower("o-new-follower", "你好", "7001");
    expect(first.status).toBe(200);
    expect(first.reply).toMatchObject({ toUserName: "o-new-follower", fromUserName: ACCOUNT, msgType: "text", content: "欢迎关注！回复「课程」了解 ¥8.9 体验课。" });
    expect(await events("o-new-follower")).toEqual([{ event_id: "wechat-msg:7001", name: "message.replied" }]);
    // Acknowledged: nothing is due any more, and the customer sopline created is in the follower journey.
    expect(await client.contentDue({ customer: "o-new-follower", idKind: "OPENID", channel: "OFFICIAL_ACCOUNT" })).toEqual([]);
    const [row] = await gateway.db.sql.query<{ id: string }>(`SELECT id FROM customers WHERE oa_open_id = $1`, ["o-new-follower"]);
    const customer = await client.customer(row!.id);
    expect(customer.timeline.filter((e) => e.status !== "upcoming").map((e) => `${e.stepId}:${e.status}`)).toEqual(["greet:sent"]);
    expect(wechat.callsTo("/cgi-bin/message/custom/send")).toEqual([]); // one item due: the passive reply was enough
  });

  it("does not report a duplicate message id twice (WeChat's retry) and answers it the same way", async () => {
    const first = await follower("o-retrying", "在吗", "7002");
    const reported = app.stats.reported;
    const retry = await follower("o-retrying", "在吗", "7002");
    expect(retry.text).toBe(first.text);
    expect(app.stats.reported).toBe(reported);
    expect(app.stats.duplicates).toBe(1);
    expect(await events("o-retrying")).toEqual([{ event_id: "wechat-msg:7002", name: "message.replied" }]);
  });

  it("sends the oldest due content as the passive reply and the rest through the customer-service API", async () => {
    await follower("o-curious", "你好", "7003");
    now += 10 * 60_000; // the brand Q&A (1 min) and the offer (2 min) are due by the next message
    const second = await follower("o-curious", "课程多少钱？", "7004");
    await app.idle();
    expect(second.reply?.content).toBe("我们是谁？十年只做一件事：教会你私域运营。");
    expect(wechat.sent.custom).toEqual([{ touser: "o-curious", msgtype: "text", text: { content: "¥8.9 抢 7 天体验课，今晚截止。" } }]);
    expect(wechat.callsTo("/cgi-bin/token")).toHaveLength(1);
    expect(await client.contentDue({ customer: "o-curious", idKind: "OPENID", channel: "OFFICIAL_ACCOUNT" })).toEqual([]);
  });

  it("refuses pushes with a bad signature and echoes WeChat's URL verification", async () => {
    const bad = await fetch(pushUrl(url, 1, "x", "wrong-token"), { method: "POST", body: "<xml/>" });
    expect(bad.status).toBe(403);
    const verify = await fetch(`${pushUrl(url, 1, "x", TOKEN)}&echostr=hello-wechat`);
    expect(await verify.text()).toBe("hello-wechat");
  });

  it("runs as a demo: main() prints the push and the greeting reply", async () => {
    const printed: string[] = [];
    const { reply, stats } = await main((line) => printed.push(line));
    expect(reply.content).toBe("欢迎关注！回复「课程」了解 ¥8.9 体验课。");
    expect(stats).toMatchObject({ received: 1, reported: 1, replied: 1 });
    expect(printed.at(-1)).toBe("The follower sees: 欢迎关注！回复「课程」了解 ¥8.9 体验课。");
  });
});
