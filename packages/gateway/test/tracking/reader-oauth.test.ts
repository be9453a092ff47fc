import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { OA, PUBLIC_URL, type TrackedFixture, beacon, trackedFixture } from "./helpers.js";

const WECHAT_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN";
const WECOM_UA = `${WECHAT_UA} wxwork/4.1.20 MicroMessenger/7.0.1`;

// WeChat's snsapi_base code exchange, mocked: each code names the reader it stands for.
const OPENIDS: Record<string, string> = { "code-self": "o-customer", "code-friend": "o-friend" };
const exchanges: string[] = [];
const msw = setupServer(
  http.get("https://api.weixin.qq.com/sns/oauth2/access_token", ({ request }) => {
    const q = new URL(request.url).searchParams;
    exchanges.push(`${q.get("appid")}/${q.get("secret")}/${q.get("grant_type")}`);
    const openid = OPENIDS[q.get("code") ?? ""];
    return HttpResponse.json(openid ? { access_token: "at", expires_in: 7200, openid, scope: "snsapi_base" } : { errcode: 40029, errmsg: "invalid code" });
  }),
);

/** The landing page's inline config. */
const pageConfig = async (res: Response) => JSON.parse(/\}\)\((\{.*\})\);<\/script>/s.exec(await res.text())![1]!) as { reader?: string; readerMac?: string; target: string };

describe("forwarded links: snsapi_base tells the customer from another reader", () => {
  let t: TestDatabase;
  let f: TrackedFixture;
  let token: string;
  beforeAll(async () => {
    msw.listen({ onUnhandledRequest: "bypass" });
    t = await createTestDatabase("pglite");
    f = await trackedFixture(t.db, { officialAccount: true });
    await t.db.sql.execute(`UPDATE customers SET oa_open_id = 'o-customer' WHERE id = $1`, [f.customerId]);
    await f.gateway.channels.deliveryWorker.runOnce(f.clock.now);
    token = f.tokens()[0]!;
  });
  afterAll(async () => {
    msw.close();
    await f?.close();
    await t?.drop();
  });

  it("sends a WeChat reader through snsapi_base and back to the link; WeCom and other browsers get the page", async () => {
    const res = await fetch(`${f.base}/t/${token}`, { headers: { "user-agent": WECHAT_UA }, redirect: "manual" });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe("https://open.weixin.qq.com/connect/oauth2/authorize");
    expect(Object.fromEntries(location.searchParams)).toEqual({ appid: OA.appId, redirect_uri: `${PUBLIC_URL}/t/${token}`, response_type: "code", scope: "snsapi_base", state: "sl" });
    expect(location.hash).toBe("#wechat_redirect");
    for (const ua of [WECOM_UA, "Mozilla/5.0 Chrome/120"]) expect((await fetch(`${f.base}/t/${token}`, { headers: { "user-agent": ua }, redirect: "manual" })).status).toBe(200);
  });

  it("records another reader's open as content.shared, not as the customer's open", async () => {
    const page = await fetch(`${f.base}/t/${token}?code=code-friend&state=sl`, { headers: { "user-agent": WECHAT_UA } });
    const config = await pageConfig(page);
    expect(config.reader).toBe("o-friend");
    expect(exchanges.at(-1)).toBe(`${OA.appId}/${OA.secret}/authorization_code`);
    await beacon(f.base, token, "open", { pv: "pv-friend-1", reader: config.reader, rm: config.readerMac });
    expect(await f.events("content.opened")).toEqual([]);
    const [shared] = await f.events("content.shared");
    expect(shared!.data).toMatchObject({ reader: "o-friend", step: "case", content: "case-1", link: "https://example.com/case-1" });
    expect(await f.stage()).toBe("new"); // a share is not the customer's open: no transition
  });

  it("counts the customer's own open; a reader the gateway did not sign is ignored", async () => {
    const config = await pageConfig(await fetch(`${f.base}/t/${token}?code=code-self&state=sl`, { headers: { "user-agent": WECHAT_UA } }));
    expect(config.reader).toBe("o-customer");
    await beacon(f.base, token, "open", { pv: "pv-self-0001", reader: config.reader, rm: config.readerMac });
    // Naming a reader without the gateway's MAC does not make an open a share.
    await beacon(f.base, token, "open", { pv: "pv-forged-01", reader: "o-someone", rm: "forged" });
    expect((await f.events("content.opened")).map((e) => e.event_id)).toEqual([`sl:o:${token}:pv-self-0001`, `sl:o:${token}:pv-forged-01`]);
    expect((await f.events("content.shared")).length).toBe(1);
  });

  it("still leads on when WeChat refuses the code (reader unknown)", async () => {
    const page = await fetch(`${f.base}/t/${token}?code=used-code&state=sl`, { headers: { "user-agent": WECHAT_UA } });
    expect(page.status).toBe(200);
    const config = await pageConfig(page);
    expect(config.reader).toBeUndefined();
    expect(config.target).toBe("https://example.com/case-1");
  });
});
