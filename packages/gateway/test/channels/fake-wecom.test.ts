import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAccessTokenProvider } from "../../src/channels/access-token.js";
import { createFakeWeCom, type FakeWeCom } from "../../src/channels/testing/fake-wecom.js";
import { createWeComApi, type WeComApi } from "../../src/channels/wecom/api.js";
import { ReplayedCallbackError, WrongCorpIdError } from "../../src/channels/wecom/callback-errors.js";
import { openCallback, verifyUrl } from "../../src/channels/wecom/callback-crypto.js";
import { callbackDedupeKey, parseCallbackEvent, type CallbackEvent } from "../../src/channels/wecom/callback-events.js";
import { createReplayGuard, type ReplayGuard } from "../../src/channels/wecom/replay-guard.js";

const KEY = "kWxPEV2QE6N1q9oGNVb5XQCMO1XIQV0MPPkO5q5Fj5o";
const CORP_A = { corpId: "wwcorpAAAA", secret: "secA", token: "tokA", encodingAesKey: KEY, agentId: "1000002" };
// Same token and key, different corp: only the ReceiveId check can tell them apart.
const CORP_B = { corpId: "wwcorpBBBB", secret: "secB", token: "tokA", encodingAesKey: KEY };
const CALLBACK_URL = "https://gateway.example/wecom/callback";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let now: number;
let fake: FakeWeCom;
let api: WeComApi;
let guard: ReplayGuard;

/** A minimal gateway callback handler: verify, decrypt, dedupe, answer the welcome code. */
function makeHandler() {
  const processed = new Set<string>();
  const events: CallbackEvent[] = [];
  return {
    events,
    async handle(req: Request): Promise<"processed" | "duplicate"> {
      const url = new URL(req.url);
      const opened = openCallback({ ...CORP_A, replayGuard: guard }, Object.fromEntries(url.searchParams), await req.text());
      const ev = parseCallbackEvent(opened.xml);
      const key = callbackDedupeKey(ev);
      if (processed.has(key)) return "duplicate";
      processed.add(key);
      events.push(ev);
      if (ev.type === "add_external_contact" && ev.welcomeCode) {
        await api.sendWelcomeMsg({ welcome_code: ev.welcomeCode, text: { content: `欢迎 ${ev.externalUserId}` } });
      }
      return "processed";
    },
  };
}

beforeEach(() => {
  now = Date.UTC(2025, 3, 1, 1, 0, 0);
  fake = createFakeWeCom({ now: () => now, corps: [CORP_A, CORP_B] });
  server.use(...fake.handlers);
  guard = createReplayGuard({ now: () => now });
  const fetch = (i: string, init?: RequestInit) => globalThis.fetch(i, init);
  api = createWeComApi({ fetch, tokens: createAccessTokenProvider({ fetch, now: () => now }), corpId: CORP_A.corpId, secret: CORP_A.secret });
});

describe("fake WeCom: callbacks", () => {
  it("produces URL-verification requests the crypto accepts", () => {
    const { query, expectedEcho } = fake.urlVerification(CORP_A.corpId);
    expect(verifyUrl(CORP_A, query)).toBe(expectedEcho);
  });

  it("an add event is opened, parsed and answered with a welcome message within 20 s", async () => {
    const h = makeHandler();
    const add = fake.addExternalContact(CORP_A.corpId, { userId: "zhangsan", externalUserId: "wmC1", state: "expo-2025" });
    now += 3_000;
    expect(await h.handle(add.request(CALLBACK_URL))).toBe("processed");
    expect(h.events[0]).toMatchObject({ type: "add_external_contact", userId: "zhangsan", externalUserId: "wmC1", state: "expo-2025", welcomeCode: add.welcomeCode });
    expect(fake.welcomeSent.map((w) => w.welcomeCode)).toEqual([add.welcomeCode]);
  });

  it("WeCom's retry (fresh nonce) is deduplicated; a byte-identical replay is refused", async () => {
    const h = makeHandler();
    const add = fake.addExternalContact(CORP_A.corpId, { userId: "zhangsan", externalUserId: "wmC1" });
    await h.handle(add.request(CALLBACK_URL));
    now += 5_000;
    expect(await h.handle(add.redeliver().request(CALLBACK_URL))).toBe("duplicate");
    await expect(h.handle(add.request(CALLBACK_URL))).rejects.toBeInstanceOf(ReplayedCallbackError);
    expect(fake.callsTo("/cgi-bin/externalcontact/send_welcome_msg")).toHaveLength(1);
  });

  it("two customers added in the same second are both processed", async () => {
    const h = makeHandler();
    const a = fake.addExternalContact(CORP_A.corpId, { userId: "zhangsan", externalUserId: "wmC1" });
    const b = fake.addExternalContact(CORP_A.corpId, { userId: "zhangsan", externalUserId: "wmC2" });
    expect(a.event.createTime).toBe(b.event.createTime);
    expect(await h.handle(a.request(CALLBACK_URL))).toBe("processed");
    expect(await h.handle(b.request(CALLBACK_URL))).toBe("processed");
    expect(fake.welcomeSent).toHaveLength(2);
  });

  it("a welcome answered late fails 41051", async () => {
    const add = fake.addExternalContact(CORP_A.corpId, { userId: "zhangsan", externalUserId: "wmC1" });
    now += 25_000;
    await expect(api.sendWelcomeMsg({ welcome_code: add.welcomeCode!, text: { content: "hi" } })).rejects.toMatchObject({ code: 41051, permanent: true });
  });

  it("no welcome code when the console already has a welcome message", () => {
    const add = fake.addExternalContact(CORP_A.corpId, { userId: "zhangsan", externalUserId: "wmC1", withWelcomeCode: false });
    expect(add.welcomeCode).toBeUndefined();
    expect(parseCallbackEvent(add.xml)).not.toHaveProperty("welcomeCode");
  });

  it("another corp's callback is refused by the receive-id check", () => {
    const add = fake.addExternalContact(CORP_B.corpId, { userId: "u", externalUserId: "wmX" });
    expect(() => openCallback({ ...CORP_A, replayGuard: guard }, add.query, add.body)).toThrow(WrongCorpIdError);
  });

  it("deletions end the friendship and show up as status 2 in mass-send results", async () => {
    const h = makeHandler();
    for (const id of ["wmC1", "wmC2"]) await h.handle(fake.addExternalContact(CORP_A.corpId, { userId: "zhangsan", externalUserId: id }).request(CALLBACK_URL));
    const { msgid } = await api.addMsgTemplate({ chat_type: "single", external_userid: ["wmC1", "wmC2"], sender: "zhangsan", text: { content: "day 1" } });
    now += 1_000;
    await h.handle(fake.customerDeletesStaff(CORP_A.corpId, { userId: "zhangsan", externalUserId: "wmC2" }).request(CALLBACK_URL));
    expect(h.events.at(-1)).toMatchObject({ type: "del_follow_user", externalUserId: "wmC2" });
    expect(fake.isFriend(CORP_A.corpId, "zhangsan", "wmC2")).toBe(false);
    fake.confirmTask(msgid);
    const rows = await api.getAllGroupMsgSendResults({ msgid, userid: "zhangsan" });
    expect(rows.map((r) => [r.external_userid, r.status])).toEqual([
      ["wmC1", 1],
      ["wmC2", 2],
    ]);
  });
});

describe("fake WeCom: failure injection and tokens", () => {
  it("injects network errors, HTTP 503 and errcodes for the next N calls", async () => {
    fake.failNext("/cgi-bin/externalcontact/remind_groupmsg_send", { status: 503 });
    await expect(api.remindGroupMsgSend("m")).rejects.toMatchObject({ code: "http_503", permanent: false });
    fake.failNext("/cgi-bin/gettoken", "network");
    const fetch = (i: string, init?: RequestInit) => globalThis.fetch(i, init);
    const fresh = createWeComApi({ fetch, tokens: createAccessTokenProvider({ fetch, now: () => now }), corpId: CORP_A.corpId, secret: CORP_A.secret });
    await expect(fresh.remindGroupMsgSend("m")).rejects.toMatchObject({ code: "network" });
    fake.failNext("/cgi-bin/externalcontact/remind_groupmsg_send", { errcode: 45033, errmsg: "api concurrent out of limit" });
    await expect(api.remindGroupMsgSend("m")).rejects.toMatchObject({ code: 45033, permanent: false });
    // Injection exhausted: the fake answers normally again (unknown msgid → 40058).
    await expect(api.remindGroupMsgSend("m")).rejects.toMatchObject({ code: 40058 });
  });

  it("tokens expire after expires_in on the fake clock", async () => {
    const add = fake.addExternalContact(CORP_A.corpId, { userId: "z", externalUserId: "wmA" });
    const { msgid } = await api.addMsgTemplate({ chat_type: "single", external_userid: ["wmA"], sender: "z", text: { content: "x" } });
    now += 7_200_000;
    await api.remindGroupMsgSend(msgid);
    expect(fake.callsTo("/cgi-bin/gettoken")).toHaveLength(2);
    expect(add.welcomeCode).toBeDefined();
  });

  it("revoked tokens answer 40014 and are refetched once", async () => {
    await api.remindGroupMsgSend("m").catch(() => undefined);
    fake.revokeTokens();
    await expect(api.remindGroupMsgSend("m")).rejects.toMatchObject({ code: 40058 });
    expect(fake.callsTo("/cgi-bin/gettoken")).toHaveLength(2);
  });
});
