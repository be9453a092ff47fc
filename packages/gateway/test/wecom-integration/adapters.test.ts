import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { createAdapterRegistry, createDeliveryWorker, createWebhookAdapter, signWebhook, type ChannelAdapter } from "../../src/delivery/index.js";
import {
  createMiniProgramAdapter,
  createOfficialAccountAdapter,
  grantSubscribeQuota,
  remainingSubscribeQuota,
} from "../../src/wecom-integration/index.js";
import { T0, deliveryRows, setupDeliveries } from "../delivery/helpers.js";
import { MP, OA, createEnv } from "./helpers.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
const HOUR = 3_600_000;

describe.each(["pglite", "postgres"] as const)("channel adapters on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** A stored behaviour event: the customer's last interaction as the adapters read it. */
  async function storeEvent(workspaceId: string, customerId: string, at: Date) {
    await t.db.sql.execute(`INSERT INTO events (workspace_id, event_id, customer_id, name, at) VALUES ($1, $2, $3, 'message.replied', $4)`, [workspaceId, `${customerId}@${at.toISOString()}`, customerId, at]);
  }

  async function setup(channel: string, n: number, body: unknown) {
    const env = createEnv(server, T0);
    const s = await setupDeliveries(t.db, channel, n);
    await t.db.sql.execute(`UPDATE contents SET body = $2::jsonb WHERE workspace_id = $1 AND ref = 'hello'`, [s.workspaceId, JSON.stringify(body)]);
    const run = (adapter: ChannelAdapter, concurrency = 16) =>
      createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([adapter]), clock: env.clock, workspaceIds: [s.workspaceId], concurrency }).runOnce(T0);
    return { ...env, ...s, run };
  }

  it("official account: a customer-service message inside 48 h, the template outside it, else a clear failure", async () => {
    const s = await setup("official_account", 4, { text: "您的试驾已预约", template: { template_id: "tpl-notice", data: { first: { value: "试驾提醒" } } } });
    const [fresh, stale, noTemplate, noOpenid] = s.customers;
    for (const c of [fresh, stale, noTemplate]) {
      await t.db.sql.execute(`UPDATE customers SET oa_open_id = 'o-' || external_id WHERE id = $1`, [c]);
    }
    // their last interactions: 47 h ago (inside the 48 h window) and 49 h ago (outside it)
    await storeEvent(s.workspaceId, fresh!, new Date(T0.getTime() - 47 * HOUR));
    for (const c of [stale!, noTemplate!]) await storeEvent(s.workspaceId, c, new Date(T0.getTime() - 49 * HOUR));
    const openids = await t.db.sql.query<{ id: string; oa_open_id: string }>(`SELECT id, oa_open_id FROM customers WHERE id = ANY($1::text[])`, [[fresh, stale, noTemplate]]);
    for (const o of openids) s.fake.follow(OA.appId, o.oa_open_id, { lastInteractionAt: T0.getTime() - (o.id === fresh ? 47 : 49) * HOUR });
    // the third customer's step uses content without a template
    await t.db.sql.execute(`INSERT INTO contents (workspace_id, ref, title, body, type) VALUES ($1, 'plain', 'plain', '{"text":"hi"}', 'greeting')`, [s.workspaceId]);
    await t.db.sql.execute(`UPDATE deliveries SET content = 'plain' WHERE customer_id = $1`, [noTemplate]);
    expect(await s.run(createOfficialAccountAdapter({ api: s.clients.officialAccount! }))).toMatchObject({ sent: 2, failed: 2 });
    expect(s.fake.sent.custom).toEqual([{ touser: openids.find((o) => o.id === fresh)!.oa_open_id, msgtype: "text", text: { content: "您的试驾已预约" } }]);
    expect(s.fake.sent.template).toHaveLength(1);
    expect(s.fake.sent.template[0]).toMatchObject({ touser: openids.find((o) => o.id === stale)!.oa_open_id, template_id: "tpl-notice" });
    expect(s.fake.sent.template[0]!.client_msg_id).toMatch(/^[0-9a-f]{40}$/);
    const byCustomer = new Map((await deliveryRows(t.db, s.workspaceId, "official_account")).map((r) => [r.customer_id, r]));
    expect(byCustomer.get(noTemplate!)).toMatchObject({ status: "failed", provider_error: "service_window_closed" });
    expect(byCustomer.get(noTemplate!)!.reason).toMatch(/customer-service window closed at .*has no template message to fall back on/);
    expect(byCustomer.get(noOpenid!)).toMatchObject({ status: "failed", provider_error: "no_openid" });
  });

  it("mini-program: the persisted quota book is used once per authorisation; field limits fail before any quota or HTTP; 43101 empties the book", async () => {
    const body = { subscribe: { template_id: "tpl-remind", page: "pages/index/index", data: { thing1: { value: "试驾提醒" }, phrase2: { value: "已预约" } } } };
    const s = await setup("mini_program", 3, body);
    const [granted, unGranted, refused] = s.customers;
    await t.db.sql.execute(`UPDATE customers SET attributes = jsonb_build_object('mpOpenId', 'mp-' || external_id) WHERE id = ANY($1::text[])`, [s.customers]);
    const openid = async (id: string) => (await t.db.sql.query<{ o: string }>(`SELECT attributes->>'mpOpenId' AS o FROM customers WHERE id = $1`, [id]))[0]!.o;
    const key = async (id: string) => ({ workspaceId: s.workspaceId, appId: MP.appId, openid: await openid(id), templateId: "tpl-remind" });
    expect(await grantSubscribeQuota(t.db.sql, { workspaceId: s.workspaceId, appId: MP.appId, openid: await openid(granted!), result: { errMsg: "requestSubscribeMessage:ok", "tpl-remind": "accept", "tpl-other": "reject" } })).toEqual({ accepted: ["tpl-remind"], notAccepted: ["tpl-other"] });
    s.fake.grantSubscribe(MP.appId, await openid(granted!), "tpl-remind");
    // our book says 1 for `refused`, but the user switched notifications off: WeChat says 43101
    await grantSubscribeQuota(t.db.sql, { workspaceId: s.workspaceId, appId: MP.appId, openid: await openid(refused!), result: { errMsg: "ok", "tpl-remind": "accept" } });
    s.fake.follow(MP.appId, await openid(refused!));
    const adapter = createMiniProgramAdapter({ db: t.db, app: { appId: MP.appId, api: s.clients.miniProgram! } });
    expect(await s.run(adapter)).toMatchObject({ sent: 1, failed: 2 });
    const byCustomer = new Map((await deliveryRows(t.db, s.workspaceId, "mini_program")).map((r) => [r.customer_id, r]));
    expect(byCustomer.get(granted!)).toMatchObject({ status: "sent" });
    expect(byCustomer.get(unGranted!)).toMatchObject({ status: "failed", provider_error: "subscribe_quota_exhausted" });
    expect(byCustomer.get(refused!)).toMatchObject({ status: "failed", provider_error: "43101" });
    expect(await remainingSubscribeQuota(t.db.sql, await key(granted!))).toBe(0);
    expect(await remainingSubscribeQuota(t.db.sql, await key(refused!))).toBe(0);
    expect(s.fake.callsTo("/cgi-bin/message/subscribe/send")).toHaveLength(2); // none for the customer without quota

    // A thing.* value over 20 characters fails naming the field; the authorisation is kept.
    const v = await setup("mini_program", 1, { subscribe: { ...body.subscribe, data: { thing1: { value: "这是一条超过二十个字符长度限制的试驾提醒消息内容" } } } });
    await t.db.sql.execute(`UPDATE customers SET attributes = '{"mpOpenId":"mp-long"}' WHERE id = $1`, [v.customers[0]]);
    await grantSubscribeQuota(t.db.sql, { workspaceId: v.workspaceId, appId: MP.appId, openid: "mp-long", result: { errMsg: "ok", "tpl-remind": "accept" } });
    expect(await v.run(createMiniProgramAdapter({ db: t.db, app: { appId: MP.appId, api: v.clients.miniProgram! } }))).toMatchObject({ failed: 1 });
    const [row] = await deliveryRows(t.db, v.workspaceId, "mini_program");
    expect(row).toMatchObject({ status: "failed", provider_error: "invalid_request" });
    expect(row!.reason).toMatch(/^data\.thing1\.value: thing\.\* \(any text\): at most 20 characters, got 24/);
    expect(await remainingSubscribeQuota(t.db.sql, { workspaceId: v.workspaceId, appId: MP.appId, openid: "mp-long", templateId: "tpl-remind" })).toBe(1);
    expect(v.fake.callsTo("/cgi-bin/message/subscribe/send")).toHaveLength(0);
  });

  it("access tokens: 50 concurrent deliveries cause one token fetch per app", async () => {
    const s = await setup("official_account", 50, { text: "hello" });
    await t.db.sql.execute(`UPDATE customers SET oa_open_id = 'o-' || external_id WHERE id = ANY($1::text[])`, [s.customers]);
    for (const c of s.customers) await storeEvent(s.workspaceId, c, new Date(T0.getTime() - HOUR));
    for (let i = 0; i < 50; i++) s.fake.follow(OA.appId, `o-c${i}`, { lastInteractionAt: T0.getTime() - HOUR });
    expect(await s.run(createOfficialAccountAdapter({ api: s.clients.officialAccount! }), 50)).toMatchObject({ sent: 50 });
    expect(s.fake.sent.custom).toHaveLength(50);
    expect(s.fake.callsTo("/cgi-bin/token")).toHaveLength(1);
    // another app (the mini-program) has its own token; the OA's stays cached
    await Promise.all(Array.from({ length: 10 }, () => s.clients.tokens.get({ provider: "wechat", appId: MP.appId, secret: MP.secret })));
    await Promise.all(Array.from({ length: 10 }, () => s.clients.tokens.get({ provider: "wechat", appId: OA.appId, secret: OA.secret })));
    expect(s.fake.callsTo("/cgi-bin/token").map((c) => c.query["appid"])).toEqual([OA.appId, MP.appId]);
  });

  it("the example webhook adapter signs its JSON with HMAC, passes the idempotency key, retries 5xx and fails other 4xx", async () => {
    const s = await setup("webhook", 3, { text: "hello" });
    const received: Array<{ key: string | null; ok: boolean; body: { key: string; customer: { externalId: string } } }> = [];
    let c0Calls = 0;
    server.use(
      http.post("https://hooks.example.test/sopline", async ({ request }) => {
        const text = await request.text();
        const ts = request.headers.get("x-sopline-timestamp")!;
        const ok = request.headers.get("x-sopline-signature") === `sha256=${signWebhook("whsec", ts, text)}`;
        const body = JSON.parse(text) as { key: string; customer: { externalId: string } };
        received.push({ key: request.headers.get("idempotency-key"), ok, body });
        if (body.customer.externalId === "c0" && ++c0Calls === 1) return new HttpResponse("busy", { status: 503 });
        if (body.customer.externalId === "c2") return new HttpResponse("no such user", { status: 404 });
        return HttpResponse.json({ id: `hook-${received.length}` });
      }),
    );
    const adapter = createWebhookAdapter({ url: "https://hooks.example.test/sopline", secret: "whsec", now: () => s.now.t });
    const worker = createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([adapter]), clock: s.clock, workspaceIds: [s.workspaceId], concurrency: 1, retry: { baseMs: 1_000 } });
    expect(await worker.runOnce(T0)).toMatchObject({ retried: 1, sent: 1, failed: 1 });
    expect(await worker.runOnce(new Date(T0.getTime() + 1_000))).toMatchObject({ sent: 1 });
    expect(received.every((r) => r.ok && r.key === r.body.key)).toBe(true);
    const rows = await deliveryRows(t.db, s.workspaceId, "webhook");
    expect(rows.map((r) => r.status).sort()).toEqual(["failed", "sent", "sent"]);
    expect(rows.find((r) => r.status === "failed")).toMatchObject({ provider_error: "http_404" });
    expect(rows.filter((r) => r.status === "sent").every((r) => r.provider_id?.startsWith("hook-"))).toBe(true);
  });
});
