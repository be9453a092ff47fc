import type { JourneyDefinition } from "@sopline/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FollowEvent, buildFollowEventXml, signPushRequest } from "../../src/channels/wechat/message-push.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { DeliveryError } from "../../src/delivery/errors.js";
import type { DeliveryRequest } from "../../src/delivery/types.js";
import { type FollowResult, createOfficialAccountAdapter, createOfficialAccountHandler } from "../../src/wecom-integration/index.js";
import { HOSTILE_XML } from "../channels/hostile-xml.js";
import { SH } from "../engine/fixtures.js";
import { createScheduler } from "../../src/engine/scheduler.js";
import { KEY, OA, createEnv, one, seedWeComWorkspace } from "./helpers.js";

// The official account's message push: a follow enrols (QR scene → segment attribute), an unfollow
// ends the official account's steps and is recorded as a deletion. Signed as WeChat signs it.

const T0 = new Date("2026-11-23T02:00:00Z"); // Monday 10:00 Shanghai
const PUSH_URL = "https://gateway.example/wechat/callback";
const ACCOUNT = { appId: OA.appId, token: "oa-push-token" };
const SAFE = { ...ACCOUNT, encodingAesKey: KEY };
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** 11 touches in 2 days on the official account, plus an SMS that must outlive an unfollow. */
const course: JourneyDefinition = {
  id: "oa-course", version: 1, timezone: SH, entry: "new",
  stages: [{ id: "new", sop: [
    { id: "offer", after: "0m", channel: "official_account", content: "offer" },
    { id: "reminder", after: "0m", channel: "sms", content: "sms-1" },
    { id: "hello", after: "1d", channel: "official_account", content: "hello" },
    { id: "reminder-2", after: "1d", channel: "sms", content: "sms-2" },
  ] }],
};
const general: JourneyDefinition = { ...course, id: "oa-general" };

describe.each(["pglite", "postgres"] as const)("official-account follow events on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  async function setup(account: { appId: string; token: string; encodingAesKey?: string } = ACCOUNT) {
    const env = createEnv(server, T0);
    const ws = await seedWeComWorkspace(t.db, [course, general]);
    await t.db.sql.execute(`INSERT INTO segment_rules (workspace_id, name, match, journey_key, staff_id) VALUES ($1, 'course QR', $2::jsonb, 'oa-course', $3)`, [ws.workspaceId, JSON.stringify({ source: "official_account", scene: "course" }), ws.staff[0]]);
    const processed: Array<FollowResult & { dedupeKey: string }> = [];
    const handler = createOfficialAccountHandler({ db: t.db, registry: ws.registry, workspaceId: ws.workspaceId, account, clock: env.clock, defaultJourney: "oa-general", onProcessed: (r) => processed.push(r as FollowResult & { dedupeKey: string }) });
    let nonce = 0;
    const push = (ev: { type: FollowEvent["type"]; openid: string; scene?: string }, opts: { nonce?: string } = {}) => {
      const full = { account: "gh_course", createTime: Math.floor(env.now.t / 1000), ...ev } as FollowEvent;
      const signed = signPushRequest(account, buildFollowEventXml(full), { timestamp: Math.floor(env.now.t / 1000), nonce: opts.nonce ?? `n${++nonce}` });
      return handler(new Request(`${PUSH_URL}?${new URLSearchParams(signed.query)}`, { method: "POST", body: signed.body }));
    };
    const customer = (openid: string) => one<{ id: string; attributes: Record<string, unknown>; staff_id: string | null }>(t.db, `SELECT id, attributes, staff_id FROM customers WHERE workspace_id = $1 AND oa_open_id = $2`, [ws.workspaceId, openid]);
    return { ...env, ...ws, handler, push, processed, customer };
  }

  it("answers the URL check with echostr when the signature holds, 401 otherwise", async () => {
    const s = await setup();
    const signed = signPushRequest(ACCOUNT, "", { timestamp: Math.floor(s.now.t / 1000), nonce: "v1" });
    const url = new URL(PUSH_URL);
    for (const [k, v] of Object.entries({ ...signed.query, echostr: "4242" })) url.searchParams.set(k, v);
    const ok = await s.handler(new Request(url));
    expect([ok.status, await ok.text()]).toEqual([200, "4242"]);
    url.searchParams.set("signature", "0".repeat(40));
    expect((await s.handler(new Request(url))).status).toBe(401);
  });

  it("a follow through a QR code enrols through the segment rules with the scene as an attribute, once per WeChat retry", async () => {
    const s = await setup();
    const res = await s.push({ type: "subscribe", openid: "oFOLLOW1", scene: "course" });
    expect([res.status, await res.text()]).toEqual([200, "success"]);
    // WeChat's retry: the same event (FromUserName + CreateTime), a new nonce.
    expect((await s.push({ type: "subscribe", openid: "oFOLLOW1", scene: "course" })).status).toBe(200);
    expect(s.processed.map((p) => (p.duplicate ? "duplicate" : "type" in p ? p.type : p.ignored))).toEqual(["subscribe", "duplicate"]);
    const c = await s.customer("oFOLLOW1");
    expect(c.attributes).toEqual({ oaSubscribed: true, scene: "course" });
    expect(await t.db.sql.query(`SELECT journey_key, staff_id, stage FROM enrollments WHERE customer_id = $1`, [c.id])).toEqual([{ journey_key: "oa-course", staff_id: s.staff[0], stage: "new" }]);
    expect(await t.db.sql.query(`SELECT name, data FROM events WHERE customer_id = $1`, [c.id])).toEqual([{ name: "oa.subscribe", data: { openid: "oFOLLOW1", scene: "course" } }]);
    expect(await t.db.sql.query(`SELECT step_id, channel, status FROM deliveries WHERE customer_id = $1 ORDER BY step_id`, [c.id])).toEqual([
      { step_id: "offer", channel: "official_account", status: "due" },
      { step_id: "reminder", channel: "sms", status: "due" },
    ]);
  });

  it("a follow without a scene goes to the default journey; a scan of a QR code while following records the scene, enrols nobody", async () => {
    const s = await setup();
    await s.push({ type: "subscribe", openid: "oPLAIN" });
    const c = await s.customer("oPLAIN");
    expect(c.attributes).toEqual({ oaSubscribed: true });
    expect(await one(t.db, `SELECT journey_key FROM enrollments WHERE customer_id = $1`, [c.id])).toEqual({ journey_key: "oa-general" });
    s.now.t += 60_000;
    await s.push({ type: "scan", openid: "oPLAIN", scene: "course" });
    expect((await s.customer("oPLAIN")).attributes).toEqual({ oaSubscribed: true, scene: "course" });
    expect(await one(t.db, `SELECT count(*)::int AS n FROM enrollments WHERE customer_id = $1`, [c.id])).toEqual({ n: 1 });
    expect(await t.db.sql.query(`SELECT name FROM events WHERE customer_id = $1 ORDER BY at`, [c.id])).toEqual([{ name: "oa.subscribe" }, { name: "oa.scan" }]);
  });

  it("an unfollow skips the official account's unsent steps (other channels go on), records contact.deleted, and later sends fail `unfollowed`", async () => {
    const s = await setup();
    await s.push({ type: "subscribe", openid: "oLEAVER", scene: "course" });
    s.now.t += 3_600_000;
    await s.push({ type: "unsubscribe", openid: "oLEAVER" });
    const c = await s.customer("oLEAVER");
    expect(c.attributes).toMatchObject({ oaSubscribed: false });
    expect(await t.db.sql.query(`SELECT step_id, status, reason FROM deliveries WHERE customer_id = $1 ORDER BY step_id`, [c.id])).toEqual([
      { step_id: "offer", status: "skipped", reason: "contact deleted: the customer unfollowed the official account (unsubscribe)" },
      { step_id: "reminder", status: "due", reason: null },
    ]);
    expect(await one(t.db, `SELECT ended_at, closed_channels FROM enrollments WHERE customer_id = $1`, [c.id])).toEqual({ ended_at: null, closed_channels: ["official_account"] });
    // The next day: the account's step is recorded skipped, the SMS goes out.
    await createScheduler({ db: t.db, registry: s.registry, clock: s.clock }).runOnce(new Date(T0.getTime() + 86_400_000));
    expect(await t.db.sql.query(`SELECT step_id, status, reason FROM deliveries WHERE customer_id = $1 AND step_id IN ('hello', 'reminder-2') ORDER BY step_id`, [c.id])).toEqual([
      { step_id: "hello", status: "skipped", reason: "channel closed: official_account no longer reaches the customer (contact deleted)" },
      { step_id: "reminder-2", status: "due", reason: null },
    ]);
    expect(await t.db.sql.query(`SELECT name, data FROM events WHERE customer_id = $1 AND name <> 'oa.subscribe' ORDER BY name`, [c.id])).toEqual([
      { name: "contact.deleted", data: { by: "customer", channel: "official_account", source: "unsubscribe" } },
      { name: "oa.unsubscribe", data: { openid: "oLEAVER" } },
    ]);
    // A step that comes due later is refused before any call to WeChat.
    const adapter = createOfficialAccountAdapter({ api: s.clients.officialAccount! });
    const request = { key: "k", workspaceId: s.workspaceId, customer: { id: c.id, externalId: "oa_open_id:oLEAVER", oaOpenId: "oLEAVER", attributes: c.attributes, lastEventAt: s.clock() }, channel: "official_account", content: "offer", contentBody: { text: "hi" } } as unknown as DeliveryRequest;
    const refused = await adapter.deliver(request, { now: s.clock() }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DeliveryError);
    expect(refused).toMatchObject({ code: "unfollowed", permanent: true });
    // Following again reopens the channel.
    s.now.t += 60_000;
    await s.push({ type: "subscribe", openid: "oLEAVER" });
    expect((await s.customer("oLEAVER")).attributes).toMatchObject({ oaSubscribed: true, scene: "course" });
    expect(await one(t.db, `SELECT closed_channels FROM enrollments WHERE customer_id = $1`, [c.id])).toEqual({ closed_channels: null });
  });

  it("an unfollow from someone never seen is acknowledged and changes nothing", async () => {
    const s = await setup();
    expect((await s.push({ type: "unsubscribe", openid: "oSTRANGER" })).status).toBe(200);
    expect(s.processed).toMatchObject([{ duplicate: false, ignored: "unknown follower" }]);
    expect(await one(t.db, `SELECT count(*)::int AS n FROM customers WHERE workspace_id = $1`, [s.workspaceId])).toEqual({ n: 0 });
  });

  it("refuses a bad signature (401), a malformed body (400) and a replayed request (409); processes none of them", async () => {
    const s = await setup();
    const xml = buildFollowEventXml({ type: "subscribe", openid: "oBAD", account: "gh_course", createTime: Math.floor(s.now.t / 1000) });
    const signed = signPushRequest(ACCOUNT, xml, { timestamp: Math.floor(s.now.t / 1000), nonce: "x1" });
    const forged = new URLSearchParams({ ...signed.query, signature: "f".repeat(40) });
    expect((await s.handler(new Request(`${PUSH_URL}?${forged}`, { method: "POST", body: xml }))).status).toBe(401);
    const junk = signPushRequest(ACCOUNT, "<xml><Nope>", { timestamp: Math.floor(s.now.t / 1000), nonce: "x2" });
    expect((await s.handler(new Request(`${PUSH_URL}?${new URLSearchParams(junk.query)}`, { method: "POST", body: junk.body }))).status).toBe(400);
    expect((await s.handler(new Request(`${PUSH_URL}?${new URLSearchParams(signed.query)}`, { method: "POST", body: xml }))).status).toBe(200);
    expect((await s.handler(new Request(`${PUSH_URL}?${new URLSearchParams(signed.query)}`, { method: "POST", body: xml }))).status).toBe(409);
    expect(s.processed).toHaveLength(1);
    expect(await one(t.db, `SELECT count(*)::int AS n FROM customers WHERE workspace_id = $1`, [s.workspaceId])).toEqual({ n: 1 });
  });

  it("XML attacks answer 400 (or 413 past 64 KiB) and process nothing", async () => {
    const s = await setup();
    for (const [name, xml] of Object.entries(HOSTILE_XML)) {
      const signed = signPushRequest(ACCOUNT, xml, { timestamp: Math.floor(s.now.t / 1000), nonce: `h-${name.replaceAll(" ", "-")}` });
      const res = await s.handler(new Request(`${PUSH_URL}?${new URLSearchParams(signed.query)}`, { method: "POST", body: signed.body }));
      expect(res.status, name).toBe(xml.length > 65_536 ? 413 : 400);
    }
    expect(s.processed).toEqual([]);
  });

  it("safe mode (encrypt_type=aes): decrypts with the appId as receive id", async () => {
    const s = await setup(SAFE);
    const res = await s.push({ type: "subscribe", openid: "oSAFE", scene: "course" });
    expect([res.status, await res.text()]).toEqual([200, "success"]);
    expect((await s.customer("oSAFE")).attributes).toEqual({ oaSubscribed: true, scene: "course" });
  });
});
