import type { JourneyDefinition } from "@sopline/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FollowEvent, buildFollowEventXml, buildTextMessageXml, signPushRequest } from "../../src/channels/wechat/message-push.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { type FollowResult, type MessageResult, createOfficialAccountHandler } from "../../src/wecom-integration/index.js";
import { SH } from "../engine/fixtures.js";
import { OA, createEnv, one, seedWeComWorkspace } from "../wecom-integration/helpers.js";

// A follower writing to the official account is a reply: message.replied, source official_account.

const T0 = new Date("2026-11-23T02:00:00Z");
const PUSH_URL = "https://gateway.example/wechat/callback";
const ACCOUNT = { appId: OA.appId, token: "oa-push-token" };
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const course: JourneyDefinition = {
  id: "oa-course", version: 1, timezone: SH, entry: "new",
  stages: [
    { id: "new", sop: [{ id: "nudge", after: "1d", channel: "official_account", content: "nudge", unless: "message.replied" }] },
    { id: "talking", sop: [{ id: "answer", after: "0m", channel: "official_account", content: "answer", kind: "service" }] },
  ],
  transitions: [{ from: "new", to: "talking", on: "message.replied", where: { "data.source": "official_account" } }],
};

describe("official-account messages (pglite)", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("a text message is message.replied with source official_account, once per MsgId, and moves the journey", async () => {
    const env = createEnv(server, T0);
    const ws = await seedWeComWorkspace(t.db, [course]);
    const processed: Array<(FollowResult | MessageResult) & { dedupeKey: string }> = [];
    const handler = createOfficialAccountHandler({ db: t.db, registry: ws.registry, workspaceId: ws.workspaceId, account: ACCOUNT, clock: env.clock, defaultJourney: "oa-course", onProcessed: (r) => processed.push(r) });
    let nonce = 0;
    const post = (xml: string) => {
      const signed = signPushRequest(ACCOUNT, xml, { timestamp: Math.floor(env.now.t / 1000), nonce: `n${++nonce}` });
      return handler(new Request(`${PUSH_URL}?${new URLSearchParams(signed.query)}`, { method: "POST", body: signed.body }));
    };
    const createTime = () => Math.floor(env.now.t / 1000);
    await post(buildFollowEventXml({ type: "subscribe", openid: "oREPLY", account: "gh_x", createTime: createTime() } as FollowEvent));
    env.now.t += 60_000;
    const msg = { openid: "oREPLY", account: "gh_x", createTime: createTime(), text: "多少钱？", msgId: "4561255354251345929" };
    const res = await post(buildTextMessageXml(msg));
    expect([res.status, await res.text()]).toEqual([200, "success"]);
    await post(buildTextMessageXml(msg)); // WeChat's retry
    // from someone never seen: acknowledged, nothing recorded
    await post(buildTextMessageXml({ ...msg, openid: "oSTRANGER", msgId: "1" }));
    expect(processed.slice(1).map((p) => ("recorded" in p ? [p.recorded, p.duplicate, p.rejected?.split(":")[0]] : p))).toEqual([
      [true, false, undefined],
      [false, true, undefined],
      [false, false, "UNKNOWN_CUSTOMER"],
    ]);
    const c = await one<{ id: string }>(t.db, `SELECT id FROM customers WHERE workspace_id = $1 AND oa_open_id = 'oREPLY'`, [ws.workspaceId]);
    expect(await t.db.sql.query(`SELECT name, data FROM events WHERE customer_id = $1 AND name = 'message.replied'`, [c.id])).toEqual([
      { name: "message.replied", data: { source: "official_account", channel: "official_account", msgType: "text", openid: "oREPLY", text: "多少钱？" } },
    ]);
    expect(await one(t.db, `SELECT stage FROM enrollments WHERE customer_id = $1`, [c.id])).toEqual({ stage: "talking" });
  });

  it("退订 to the official account turns on do-not-disturb for the official account only", async () => {
    const env = createEnv(server, T0);
    const ws = await seedWeComWorkspace(t.db, [course]);
    const handler = createOfficialAccountHandler({ db: t.db, registry: ws.registry, workspaceId: ws.workspaceId, account: ACCOUNT, clock: env.clock, defaultJourney: "oa-course" });
    const post = (xml: string, nonce: string) => {
      const signed = signPushRequest(ACCOUNT, xml, { timestamp: Math.floor(env.now.t / 1000), nonce });
      return handler(new Request(`${PUSH_URL}?${new URLSearchParams(signed.query)}`, { method: "POST", body: signed.body }));
    };
    await post(buildFollowEventXml({ type: "subscribe", openid: "oSTOP", account: "gh_x", createTime: Math.floor(env.now.t / 1000) } as FollowEvent), "a");
    env.now.t += 60_000;
    await post(buildTextMessageXml({ openid: "oSTOP", account: "gh_x", createTime: Math.floor(env.now.t / 1000), text: "退订", msgId: "77" }), "b");
    const c = await one<{ id: string }>(t.db, `SELECT id FROM customers WHERE workspace_id = $1 AND oa_open_id = 'oSTOP'`, [ws.workspaceId]);
    expect(await t.db.sql.query(`SELECT channel FROM do_not_disturb WHERE customer_id = $1`, [c.id])).toEqual([{ channel: "official_account" }]);
  });
});
