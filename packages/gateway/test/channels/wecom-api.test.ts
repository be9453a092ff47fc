import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAccessTokenProvider } from "../../src/channels/access-token.js";
import { ChannelError } from "../../src/channels/errors.js";
import { createFakeWeCom, type FakeWeCom } from "../../src/channels/testing/fake-wecom.js";
import { createWeComApi, type WeComApi } from "../../src/channels/wecom/api.js";
import type { MomentAttachment, WeComAttachment } from "../../src/channels/wecom/types.js";

const CORP = { corpId: "wwcorp0001", secret: "contact-secret", token: "cbtoken", encodingAesKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C" };
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let now = Date.UTC(2025, 2, 3, 1, 0, 0);
let fake: FakeWeCom;
let api: WeComApi;
const sleeps: number[] = [];

beforeEach(() => {
  now = Date.UTC(2025, 2, 3, 1, 0, 0);
  sleeps.length = 0;
  fake = createFakeWeCom({ now: () => now, corps: [CORP] });
  server.use(...fake.handlers);
  const fetch = (i: string, init?: RequestInit) => globalThis.fetch(i, init);
  api = createWeComApi({
    fetch,
    tokens: createAccessTokenProvider({ fetch, now: () => now }),
    corpId: CORP.corpId,
    secret: CORP.secret,
    retry: { attempts: 3, baseDelayMs: 200, sleep: async (ms) => void sleeps.push(ms) },
  });
});

const image = (i: number): WeComAttachment => ({ msgtype: "image", image: { media_id: `MEDIA_${i}` } });
const momentImage = (i: number): MomentAttachment => ({ msgtype: "image", image: { media_id: `MEDIA_${i}` } });
const caught = async (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as ChannelError);

describe("send_welcome_msg", () => {
  it("sends the documented body with the event's welcome_code", async () => {
    const add = fake.addExternalContact(CORP.corpId, { userId: "zhangsan", externalUserId: "wmCust1" });
    const req = {
      welcome_code: add.welcomeCode!,
      text: { content: "你好，欢迎！" },
      attachments: [
        image(1),
        { msgtype: "link", link: { title: "白皮书", picurl: "https://x/p.png", desc: "desc", url: "https://x/wp" } },
        { msgtype: "miniprogram", miniprogram: { title: "预约试驾", pic_media_id: "MEDIA_P", appid: "wxapp", page: "/pages/book.html" } },
      ] satisfies WeComAttachment[],
    };
    await api.sendWelcomeMsg(req);
    expect(fake.callsTo("/cgi-bin/externalcontact/send_welcome_msg")[0]?.body).toEqual(req);
    expect(fake.welcomeSent).toHaveLength(1);
  });

  it("a second call with the same code fails 41051, permanently", async () => {
    const add = fake.addExternalContact(CORP.corpId, { userId: "zhangsan", externalUserId: "wmCust1" });
    await api.sendWelcomeMsg({ welcome_code: add.welcomeCode!, text: { content: "hi" } });
    const e = await caught(api.sendWelcomeMsg({ welcome_code: add.welcomeCode!, text: { content: "hi" } }));
    expect(e).toMatchObject({ code: 41051, permanent: true, provider: "wecom" });
  });

  it("a call more than 20 s after the add event fails 41051", async () => {
    const add = fake.addExternalContact(CORP.corpId, { userId: "zhangsan", externalUserId: "wmCust1" });
    now += 20_001;
    await expect(api.sendWelcomeMsg({ welcome_code: add.welcomeCode!, text: { content: "hi" } })).rejects.toMatchObject({ code: 41051 });
  });

  it("validates before any HTTP call: 10 attachments, empty message, oversize text, bad page", async () => {
    const code = "CODE";
    const cases: Array<[Parameters<WeComApi["sendWelcomeMsg"]>[0], string, number | undefined]> = [
      [{ welcome_code: code, attachments: Array.from({ length: 10 }, (_, i) => image(i)) }, "attachments", 9],
      [{ welcome_code: code }, "text", undefined],
      [{ welcome_code: code, text: { content: "好".repeat(1334) } }, "text.content", 4000], // 4002 bytes
      [{ welcome_code: "", text: { content: "hi" } }, "welcome_code", undefined],
      [{ welcome_code: code, attachments: [{ msgtype: "miniprogram", miniprogram: { title: "t", pic_media_id: "m", appid: "a", page: "pages/index" } }] }, "attachments[0].miniprogram.page", undefined],
    ];
    for (const [req, field, limit] of cases) {
      const e = await caught(api.sendWelcomeMsg(req));
      expect(e, field).toBeInstanceOf(ChannelError);
      expect(e).toMatchObject({ code: "invalid_request", permanent: true, field });
      if (limit !== undefined) expect(e?.limit).toBe(limit);
    }
    expect(fake.calls).toHaveLength(0); // not even a token fetch
  });
});

describe("add_msg_template", () => {
  it("creates a task with the documented body and returns msgid + fail_list", async () => {
    fake.addExternalContact(CORP.corpId, { userId: "zhangsan", externalUserId: "wmA" });
    fake.addExternalContact(CORP.corpId, { userId: "zhangsan", externalUserId: "wmB" });
    const req = { chat_type: "single" as const, external_userid: ["wmA", "wmB", "wmStranger"], sender: "zhangsan", text: { content: "第2天：客户案例" }, attachments: [image(1)] };
    const res = await api.addMsgTemplate(req);
    expect(res.msgid).toMatch(/^msg/);
    expect(res.fail_list).toEqual(["wmStranger"]);
    expect(fake.callsTo("/cgi-bin/externalcontact/add_msg_template")[0]?.body).toEqual(req);
    expect(fake.tasks.get(res.msgid)?.results.map((r) => r.external_userid)).toEqual(["wmA", "wmB"]);
  });

  it("refuses > 10,000 customers, an empty list (= everyone!) and a missing sender before HTTP", async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => `wm${i}`);
    await expect(api.addMsgTemplate({ chat_type: "single", external_userid: many, sender: "z", text: { content: "x" } })).rejects.toMatchObject({ field: "external_userid", limit: 10_000 });
    await expect(api.addMsgTemplate({ chat_type: "single", external_userid: [], sender: "z", text: { content: "x" } })).rejects.toMatchObject({ field: "external_userid" });
    await expect(api.addMsgTemplate({ chat_type: "single", external_userid: ["wm1"], sender: "", text: { content: "x" } })).rejects.toMatchObject({ field: "sender" });
    await expect(
      api.addMsgTemplate({ chat_type: "single", external_userid: ["wm1"], sender: "z", attachments: Array.from({ length: 10 }, (_, i) => image(i)) }),
    ).rejects.toMatchObject({ field: "attachments", limit: 9 });
    expect(fake.calls).toHaveLength(0);
  });

  it("accepts exactly 10,000 customers and 9 attachments", async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `wm${i}`);
    const res = await api.addMsgTemplate({ chat_type: "single", external_userid: ids, sender: "z", attachments: Array.from({ length: 9 }, (_, i) => image(i)) });
    expect(res.fail_list).toHaveLength(10_000); // none of them are friends in the fake
  });

  it("is not retried after a network error (a retry could create a second task)", async () => {
    fake.failNext("/cgi-bin/externalcontact/add_msg_template", "network");
    const e = await caught(api.addMsgTemplate({ chat_type: "single", external_userid: ["wmA"], sender: "z", text: { content: "x" } }));
    expect(e).toMatchObject({ code: "network", permanent: false });
    expect(fake.callsTo("/cgi-bin/externalcontact/add_msg_template")).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe("get_groupmsg_send_result", () => {
  async function taskWith(n: number) {
    const ids = Array.from({ length: n }, (_, i) => `wm${i}`);
    for (const id of ids) fake.addExternalContact(CORP.corpId, { userId: "lisi", externalUserId: id, withWelcomeCode: false });
    return (await api.addMsgTemplate({ chat_type: "single", external_userid: ids, sender: "lisi", text: { content: "x" } })).msgid;
  }

  it("pages with the cursor until next_cursor is empty", async () => {
    const msgid = await taskWith(1200);
    const all = await api.getAllGroupMsgSendResults({ msgid, userid: "lisi", limit: 500 });
    expect(all).toHaveLength(1200);
    expect(new Set(all.map((r) => r.external_userid)).size).toBe(1200);
    const bodies = fake.callsTo("/cgi-bin/externalcontact/get_groupmsg_send_result").map((c) => c.body);
    expect(bodies).toEqual([
      { msgid, userid: "lisi", limit: 500 },
      { msgid, userid: "lisi", limit: 500, cursor: "500" },
      { msgid, userid: "lisi", limit: 500, cursor: "1000" },
    ]);
  });

  it("reports the statuses the server holds (0 unsent, 1 sent, 2 not a friend, 3 already received)", async () => {
    const msgid = await taskWith(4);
    fake.setSendStatus(msgid, "wm3", 3);
    fake.customerDeletesStaff(CORP.corpId, { userId: "lisi", externalUserId: "wm2" });
    now += 3_600_000;
    fake.confirmTask(msgid);
    fake.setSendStatus(msgid, "wm1", 0);
    const page = await api.getGroupMsgSendResult({ msgid, userid: "lisi" });
    expect(page.next_cursor).toBeUndefined();
    expect(page.send_list.map((r) => [r.external_userid, r.status])).toEqual([
      ["wm0", 1],
      ["wm1", 0],
      ["wm2", 2],
      ["wm3", 3],
    ]);
    expect(page.send_list[0]?.send_time).toBe(Math.floor(now / 1000));
  });

  it("retries transient failures (idempotent read) with the injected backoff", async () => {
    const msgid = await taskWith(1);
    fake.failNext("/cgi-bin/externalcontact/get_groupmsg_send_result", { errcode: -1, errmsg: "system busy" }, 2);
    const page = await api.getGroupMsgSendResult({ msgid, userid: "lisi" });
    expect(page.send_list).toHaveLength(1);
    expect(sleeps).toEqual([200, 400]);
  });

  it("validates limit ≤ 1000", async () => {
    await expect(api.getGroupMsgSendResult({ msgid: "m", userid: "u", limit: 1001 })).rejects.toMatchObject({ field: "limit", limit: 1000 });
  });
});

describe("remind_groupmsg_send and add_moment_task", () => {
  it("reminds a task", async () => {
    fake.addExternalContact(CORP.corpId, { userId: "z", externalUserId: "wmA" });
    const { msgid } = await api.addMsgTemplate({ chat_type: "single", external_userid: ["wmA"], sender: "z", text: { content: "x" } });
    await api.remindGroupMsgSend(msgid);
    expect(fake.tasks.get(msgid)?.reminders).toEqual([now]);
    expect(fake.callsTo("/cgi-bin/externalcontact/remind_groupmsg_send")[0]?.body).toEqual({ msgid });
  });

  it("creates a moment task and returns the jobid", async () => {
    const req = { text: { content: "周末试驾活动" }, attachments: [momentImage(1), momentImage(2)], visible_range: { sender_list: { user_list: ["z"] } } };
    const { jobid } = await api.addMomentTask(req);
    expect(jobid).toMatch(/^job/);
    expect(fake.moments[0]?.request).toEqual(req);
  });

  it("refuses moments over the documented limits before HTTP", async () => {
    await expect(api.addMomentTask({ text: { content: "字".repeat(2001) } })).rejects.toMatchObject({ field: "text.content", limit: 2000 });
    await expect(api.addMomentTask({ text: { content: "字".repeat(2000) }, attachments: Array.from({ length: 10 }, (_, i) => momentImage(i)) })).rejects.toMatchObject({ field: "attachments", limit: 9 });
    await expect(
      api.addMomentTask({ attachments: [momentImage(1), { msgtype: "video", video: { media_id: "v" } }] }),
    ).rejects.toMatchObject({ field: "attachments" });
    await expect(api.addMomentTask({ text: { content: "x" }, visible_range: { sender_list: { user_list: Array.from({ length: 100_001 }, (_, i) => `u${i}`) } } })).rejects.toMatchObject({ limit: 100_000 });
    expect(fake.calls).toHaveLength(0);
  });
});

describe("token lifecycle through the API", () => {
  it("refetches transparently when the server expires the token", async () => {
    fake.addExternalContact(CORP.corpId, { userId: "z", externalUserId: "wmA" });
    await api.addMsgTemplate({ chat_type: "single", external_userid: ["wmA"], sender: "z", text: { content: "x" } });
    fake.expireTokens();
    await api.addMsgTemplate({ chat_type: "single", external_userid: ["wmA"], sender: "z", text: { content: "y" } });
    expect(fake.callsTo("/cgi-bin/gettoken")).toHaveLength(2);
    expect(fake.tasks.size).toBe(2);
  });

  it("reports a wrong secret as a permanent error", async () => {
    const fetch = (i: string, init?: RequestInit) => globalThis.fetch(i, init);
    const bad = createWeComApi({ fetch, tokens: createAccessTokenProvider({ fetch, now: () => now }), corpId: CORP.corpId, secret: "wrong" });
    await expect(bad.remindGroupMsgSend("m")).rejects.toMatchObject({ code: 40001, permanent: true });
  });
});
