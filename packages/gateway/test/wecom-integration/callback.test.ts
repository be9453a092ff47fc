import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { createAdapterRegistry, createDeliveryWorker, type ChannelAdapter, type DeliveryRequest } from "../../src/delivery/index.js";
import { type CallbackProcessed, createWeComCallbackHandler } from "../../src/wecom-integration/index.js";
import { CALLBACK_URL, CORP, OTHER_CORP, createEnv, one, seedWeComWorkspace, welcomeJourney } from "./helpers.js";
import { SH } from "../engine/fixtures.js";
import type { JourneyDefinition } from "@sopline/core";
import { createScheduler } from "../../src/engine/scheduler.js";
import { sealCallback } from "../../src/channels/wecom/callback-crypto.js";
import { HOSTILE_XML } from "../channels/hostile-xml.js";

const T0 = new Date("2026-11-23T02:00:00Z"); // Monday 10:00 Shanghai
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe.each(["pglite", "postgres"] as const)("WeCom callback endpoint on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  async function setup(journeys = [welcomeJourney]) {
    const env = createEnv(server, T0);
    const ws = await seedWeComWorkspace(t.db, journeys);
    const processed: CallbackProcessed[] = [];
    const order: string[] = [];
    const handler = createWeComCallbackHandler({
      db: t.db, registry: ws.registry, workspaceId: ws.workspaceId, corp: CORP, api: env.clients.wecom!, clock: env.clock, defaultJourney: "wecom-new",
      onProcessed: (r) => (processed.push(r), order.push(`processed:${r.outcome}`)),
    });
    const post = async (req: Request) => {
      const res = await handler(req);
      order.push(`answered:${res.status}`);
      return res;
    };
    return { ...env, ...ws, handler, post, processed, order };
  }

  it("answers URL verification with the decrypted echostr, and refuses a bad signature", async () => {
    const s = await setup();
    const { query, expectedEcho } = s.fake.urlVerification(CORP.corpId);
    const url = new URL(CALLBACK_URL);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const ok = await s.handler(new Request(url));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(expectedEcho);
    url.searchParams.set("msg_signature", "0".repeat(40));
    expect((await s.handler(new Request(url))).status).toBe(401);
  });

  it("rejects a bad signature, a wrong corp id, a replayed and a malformed message with 4xx and processes none", async () => {
    const s = await setup();
    const add = s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmEXT1" });
    const tampered = new URL(add.request(CALLBACK_URL).url);
    tampered.searchParams.set("msg_signature", "f".repeat(40));
    expect((await s.handler(new Request(tampered, { method: "POST", body: add.body }))).status).toBe(401);
    const foreign = s.fake.addExternalContact(OTHER_CORP.corpId, { userId: "amy", externalUserId: "wmEXT2" }); // same token and key, other corp
    expect((await s.handler(foreign.request(CALLBACK_URL))).status).toBe(403);
    expect((await s.handler(add.request(CALLBACK_URL))).status).toBe(200);
    expect((await s.handler(add.request(CALLBACK_URL))).status).toBe(409); // the same signed request again
    s.now.t += 10 * 60_000;
    const stale = s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmEXT3" });
    s.now.t -= 10 * 60_000; // stamped 10 minutes in the future
    expect((await s.handler(stale.request(CALLBACK_URL))).status).toBe(409);
    const malformed = new URL(add.request(CALLBACK_URL).url);
    expect((await s.handler(new Request(malformed, { method: "POST", body: "<xml><Nope/></xml>" }))).status).toBe(400);
    expect((await s.handler(new Request(CALLBACK_URL, { method: "DELETE" }))).status).toBe(405);
    await s.handler.drain();
    expect(s.processed.map((p) => p.outcome)).toEqual(["processed"]);
    expect(await one(t.db, `SELECT count(*)::int AS n FROM customers WHERE workspace_id = $1`, [s.workspaceId])).toEqual({ n: 1 });
  });

  it("XML attacks (entity expansion, external entities, deep or huge documents) answer 400 and process nothing, outside or inside the encryption", async () => {
    const s = await setup();
    const query = new URL(s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmX" }).request(CALLBACK_URL).url).search;
    for (const [name, xml] of Object.entries(HOSTILE_XML)) {
      const outer = await s.handler(new Request(`${CALLBACK_URL}${query}`, { method: "POST", body: xml }));
      // past the endpoint's 64 KiB body limit a document is refused unread (413); the parser refuses it too
      if (xml.length > 65_536) {
        expect(outer.status, name).toBe(413);
        continue;
      }
      expect(outer.status, name).toBe(400);
      expect(await outer.text()).toBe("Malformed");
      const sealed = sealCallback(CORP, xml, { timestamp: Math.floor(s.now.t / 1000), nonce: `xml-${name.replaceAll(" ", "-")}` });
      const inner = await s.handler(new Request(`${CALLBACK_URL}?${new URLSearchParams(sealed.query)}`, { method: "POST", body: sealed.body }));
      expect(inner.status, `${name} (encrypted)`).toBe(400);
    }
    await s.handler.drain();
    expect(s.processed).toEqual([]);
    expect(await one(t.db, `SELECT count(*)::int AS n FROM wecom_callbacks WHERE workspace_id = $1`, [s.workspaceId])).toEqual({ n: 0 });
  });

  it("add_external_contact: acknowledges first, then creates the customer, enrols them with that staff member and sends the welcome inside 20 s", async () => {
    const s = await setup();
    const add = s.fake.addExternalContact(CORP.corpId, { userId: "bob", externalUserId: "wmNEW1", state: "ad-1" });
    const res = await s.post(add.request(CALLBACK_URL));
    expect(await res.text()).toBe("success");
    s.now.t += 3_000; // processing happens a moment later
    await s.handler.drain();
    expect(s.order).toEqual(["answered:200", "processed:processed"]);
    const customer = await one<{ id: string; staff_id: string; attributes: Record<string, unknown> }>(t.db, `SELECT id, staff_id, attributes FROM customers WHERE workspace_id = $1 AND wecom_external_user_id = 'wmNEW1'`, [s.workspaceId]);
    expect(customer.staff_id).toBe(s.staff[1]); // bob
    expect(customer.attributes).toEqual({ wecomState: "ad-1" });
    const enrollment = await one(t.db, `SELECT journey_key, staff_id, stage FROM enrollments WHERE customer_id = $1`, [customer.id]);
    expect(enrollment).toEqual({ journey_key: "wecom-new", staff_id: s.staff[1], stage: "new" });
    expect(await one(t.db, `SELECT name, event_id FROM events WHERE customer_id = $1`, [customer.id])).toEqual({ name: "add_external_contact", event_id: s.processed[0]!.dedupeKey });
    expect(s.processed[0]!.dedupeKey).toContain("wmNEW1");
    expect(s.fake.welcomeSent).toHaveLength(1);
    expect(s.fake.welcomeSent[0]!.request).toMatchObject({ welcome_code: add.welcomeCode, text: { content: "你好，我是你的专属顾问 👋" } });
    expect(s.fake.welcomeSent[0]!.at - add.event.createTime * 1000).toBeLessThanOrEqual(20_000);
    expect(s.processed[0]!.welcome).toEqual({ status: "sent" });
    const greet = await one(t.db, `SELECT status, sent_at, attempts FROM deliveries WHERE customer_id = $1 AND step_id = 'greet'`, [customer.id]);
    expect(greet).toMatchObject({ status: "sent", attempts: 1 });
    // The delivery worker does not send it again.
    const seen: DeliveryRequest[] = [];
    const chat: ChannelAdapter = { channel: "private_chat", deliver: async (d) => (seen.push(d), { status: "sent" }) };
    await createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([chat]), clock: s.clock }).runOnce(new Date(s.now.t + 3_600_000));
    expect(seen).toHaveLength(0);
  });

  it("deduplicates WeCom's retries by a key with ExternalUserID, but keeps distinct same-second adds", async () => {
    const s = await setup();
    const a = s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmSAME1" });
    const b = s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmSAME2" }); // same second, same FromUserName "sys"
    expect(a.event.createTime).toBe(b.event.createTime);
    for (const r of [a, a.redeliver(), b, a.redeliver(), b.redeliver()]) expect((await s.post(r.request(CALLBACK_URL))).status).toBe(200);
    await s.handler.drain();
    expect(s.processed.map((p) => p.outcome).sort()).toEqual(["duplicate", "duplicate", "duplicate", "processed", "processed"]);
    expect(await one(t.db, `SELECT count(*)::int AS n FROM enrollments WHERE workspace_id = $1`, [s.workspaceId])).toEqual({ n: 2 });
    expect(s.fake.welcomeSent).toHaveLength(2);
  });

  it("without a WelcomeCode the welcome stays due for the ordinary private_chat adapter", async () => {
    const s = await setup();
    await s.post(s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmNOCODE", withWelcomeCode: false }).request(CALLBACK_URL));
    await s.handler.drain();
    expect(s.fake.welcomeSent).toHaveLength(0);
    const seen: DeliveryRequest[] = [];
    const chat: ChannelAdapter = { channel: "private_chat", deliver: async (d) => (seen.push(d), { status: "sent" }) };
    expect(await createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([chat]), clock: s.clock }).runOnce(s.clock())).toMatchObject({ sent: 1 });
    expect(seen[0]).toMatchObject({ stepId: "greet", staffExternalId: "amy", customer: { wecomExternalUserId: "wmNOCODE" }, contentBody: { text: "你好，我是你的专属顾问 👋" } });
  });

  it("a welcome code past its 20 s hands the welcome to the ordinary path; 41051 (another app answered) fails it with the code", async () => {
    const s = await setup();
    const late = s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmLATE" });
    s.now.t += 25_000;
    await s.post(late.request(CALLBACK_URL));
    await s.handler.drain();
    expect(s.processed[0]!.welcome).toEqual({ status: "released", reason: "welcome window (20 s) passed" });
    expect(await one(t.db, `SELECT status FROM deliveries d JOIN customers c ON c.id = d.customer_id WHERE c.wecom_external_user_id = 'wmLATE'`)).toEqual({ status: "due" });

    const taken = s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmTAKEN" });
    await s.clients.wecom!.sendWelcomeMsg({ welcome_code: taken.welcomeCode!, text: { content: "from another app" } });
    await s.post(taken.request(CALLBACK_URL));
    await s.handler.drain();
    expect(s.processed[1]!.welcome).toEqual({ status: "failed", code: "41051" });
    expect(await one(t.db, `SELECT status, provider_error FROM deliveries d JOIN customers c ON c.id = d.customer_id WHERE c.wecom_external_user_id = 'wmTAKEN'`)).toEqual({ status: "failed", provider_error: "41051" });
  });

  it("routes by segment rules (journey) while the staff member comes from the event; the add is an event that moves running journeys", async () => {
    const expo = { ...welcomeJourney, id: "expo" };
    const s = await setup([welcomeJourney, expo]);
    await t.db.sql.execute(`INSERT INTO segment_rules (workspace_id, name, match, journey_key, staff_id) VALUES ($1, 'expo leads', $2::jsonb, 'expo', $3)`, [s.workspaceId, JSON.stringify({ wecomState: "expo" }), s.staff[0]]);
    await s.post(s.fake.addExternalContact(CORP.corpId, { userId: "bob", externalUserId: "wmEXPO", state: "expo" }).request(CALLBACK_URL));
    await s.handler.drain();
    // a second staff member adds the same customer: amy's add is an event for bob's running journey
    s.now.t += 60_000;
    await s.post(s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmEXPO", state: "expo" }).request(CALLBACK_URL));
    await s.handler.drain();
    const rows = await t.db.sql.query<{ journey_key: string; staff_id: string; stage: string }>(
      `SELECT e.journey_key, e.staff_id, e.stage FROM enrollments e JOIN customers c ON c.id = e.customer_id WHERE c.wecom_external_user_id = 'wmEXPO' ORDER BY e.created_at, e.staff_id`,
    );
    expect(rows).toEqual([
      { journey_key: "expo", staff_id: s.staff[1], stage: "multi" },
      { journey_key: "expo", staff_id: s.staff[0], stage: "new" },
    ]);
    expect(await one(t.db, `SELECT staff_id FROM customers WHERE wecom_external_user_id = 'wmEXPO' AND workspace_id = $1`, [s.workspaceId])).toEqual({ staff_id: s.staff[1] });
  });

  it("del_follow_user / del_external_contact end only that staff member's journey for the customer; a handover deletion ends nothing", async () => {
    const s = await setup();
    await s.post(s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmBOTH" }).request(CALLBACK_URL));
    await s.post(s.fake.addExternalContact(CORP.corpId, { userId: "bob", externalUserId: "wmBOTH", withWelcomeCode: false }).request(CALLBACK_URL));
    await s.handler.drain();
    const enrollments = () =>
      t.db.sql.query<{ staff_id: string; ended: boolean }>(
        `SELECT e.staff_id, e.ended_at IS NOT NULL AS ended FROM enrollments e JOIN customers c ON c.id = e.customer_id WHERE c.wecom_external_user_id = 'wmBOTH' AND c.workspace_id = $1 ORDER BY e.staff_id`,
        [s.workspaceId],
      );
    const transfer = s.fake.callback(CORP.corpId, { toUserName: CORP.corpId, fromUserName: "sys", createTime: Math.floor(s.now.t / 1000), type: "del_external_contact", userId: "bob", externalUserId: "wmBOTH", source: "DELETE_BY_TRANSFER" });
    await s.post(transfer.request(CALLBACK_URL));
    await s.handler.drain();
    expect((await enrollments()).every((e) => !e.ended)).toBe(true);

    s.now.t += 1_000;
    const left = s.fake.customerDeletesStaff(CORP.corpId, { userId: "bob", externalUserId: "wmBOTH" });
    await s.post(left.request(CALLBACK_URL));
    await s.post(left.redeliver().request(CALLBACK_URL));
    await s.handler.drain();
    const byStaff = new Map((await enrollments()).map((e) => [e.staff_id, e.ended]));
    expect(byStaff.get(s.staff[0]!)).toBe(false);
    expect(byStaff.get(s.staff[1]!)).toBe(true);
    expect(s.processed.slice(-2).map((p) => p.outcome).sort()).toEqual(["duplicate", "processed"]);
    const names = await t.db.sql.query<{ name: string }>(`SELECT e.name FROM events e JOIN customers c ON c.id = e.customer_id WHERE c.wecom_external_user_id = 'wmBOTH' AND c.workspace_id = $1 ORDER BY e.at, e.name`, [s.workspaceId]);
    // The handover deletion is recorded as what it is, not as a deletion.
    expect(names.map((n) => n.name)).toEqual(["add_external_contact", "add_external_contact", "del_external_contact", "contact.deleted", "del_follow_user"]);
    const deletion = await one(t.db, `SELECT e.data FROM events e JOIN customers c ON c.id = e.customer_id WHERE c.wecom_external_user_id = 'wmBOTH' AND e.name = 'contact.deleted'`);
    expect(deletion).toEqual({ data: { by: "customer", channel: "wecom", source: "del_follow_user", staffId: s.staff[1], userId: "bob" } });

    s.now.t += 1_000;
    await s.post(s.fake.staffDeletesCustomer(CORP.corpId, { userId: "amy", externalUserId: "wmBOTH" }).request(CALLBACK_URL));
    await s.handler.drain();
    expect((await enrollments()).every((e) => e.ended)).toBe(true);

    // Unsent steps of an ended journey are skipped, never sent later.
    await s.post(s.fake.addExternalContact(CORP.corpId, { userId: "bob", externalUserId: "wmBOBONLY", withWelcomeCode: false }).request(CALLBACK_URL));
    await s.handler.drain();
    s.now.t += 1_000;
    await s.post(s.fake.customerDeletesStaff(CORP.corpId, { userId: "bob", externalUserId: "wmBOBONLY" }).request(CALLBACK_URL));
    await s.handler.drain();
    const greet = await one(t.db, `SELECT d.status, d.reason FROM deliveries d JOIN customers c ON c.id = d.customer_id WHERE c.wecom_external_user_id = 'wmBOBONLY' AND c.workspace_id = $1`, [s.workspaceId]);
    expect(greet).toEqual({ status: "skipped", reason: "contact deleted: the customer deleted the staff member (del_follow_user)" });
    const byStaff2 = await t.db.sql.query<{ data: { by: string } }>(`SELECT e.data FROM events e JOIN customers c ON c.id = e.customer_id WHERE c.wecom_external_user_id = 'wmBOTH' AND e.name = 'contact.deleted' ORDER BY e.at`);
    expect(byStaff2.map((r) => r.data.by)).toEqual(["customer", "staff"]);
  });

  it("a deletion in a journey that also uses other channels closes only the WeCom channels: the rest goes on; adding back reopens them", async () => {
    const mixed: JourneyDefinition = {
      id: "mixed", version: 1, timezone: SH, entry: "new",
      stages: [{ id: "new", sop: [
        { id: "greet", after: "0m", channel: "private_chat", content: "welcome" },
        { id: "oa", after: "0m", channel: "official_account", content: "offer-1" },
        { id: "case", day: 1, at: "09:00", channel: "private_chat", content: "case-1", mode: "task" },
        { id: "oa-2", day: 1, at: "09:00", channel: "official_account", content: "offer-1" },
      ] }],
    };
    const s = await setup([welcomeJourney, mixed]);
    await t.db.sql.execute(`INSERT INTO segment_rules (workspace_id, name, match, journey_key) VALUES ($1, 'mixed', $2::jsonb, 'mixed')`, [s.workspaceId, JSON.stringify({ wecomState: "mixed" })]);
    await s.post(s.fake.addExternalContact(CORP.corpId, { userId: "bob", externalUserId: "wmMIX", state: "mixed", withWelcomeCode: false }).request(CALLBACK_URL));
    await s.handler.drain();
    s.now.t += 60_000;
    await s.post(s.fake.customerDeletesStaff(CORP.corpId, { userId: "bob", externalUserId: "wmMIX" }).request(CALLBACK_URL));
    await s.handler.drain();
    expect(s.processed.at(-1)?.remove).toMatchObject({ endedEnrollments: 0, closedEnrollments: 1, skippedDeliveries: 1 });
    const enrollment = `SELECT e.ended_at, e.closed_channels FROM enrollments e JOIN customers c ON c.id = e.customer_id WHERE c.wecom_external_user_id = 'wmMIX' AND c.workspace_id = $1`;
    expect(await one(t.db, enrollment, [s.workspaceId])).toEqual({ ended_at: null, closed_channels: ["group_chat", "moments", "private_chat"] });
    const deliveries = () => t.db.sql.query(`SELECT d.step_id, d.status, d.reason FROM deliveries d JOIN customers c ON c.id = d.customer_id WHERE c.wecom_external_user_id = 'wmMIX' AND c.workspace_id = $1 ORDER BY d.step_id`, [s.workspaceId]);
    expect(await deliveries()).toEqual([
      { step_id: "greet", status: "skipped", reason: "contact deleted: the customer deleted the staff member (del_follow_user)" },
      { step_id: "oa", status: "due", reason: null },
    ]);
    // The next morning: the WeCom step is recorded skipped (no chat task for bob), the official account's goes on.
    await createScheduler({ db: t.db, registry: s.registry, clock: s.clock }).runOnce(new Date("2026-11-24T01:00:00Z"));
    expect((await deliveries()).filter((d) => d.step_id === "case" || d.step_id === "oa-2")).toEqual([
      { step_id: "case", status: "skipped", reason: "channel closed: private_chat no longer reaches the customer (contact deleted)" },
      { step_id: "oa-2", status: "due", reason: null },
    ]);
    expect(await one(t.db, `SELECT count(*)::int AS n FROM tasks t JOIN customers c ON c.id = t.customer_id WHERE c.wecom_external_user_id = 'wmMIX'`)).toEqual({ n: 0 });
    s.now.t = Date.parse("2026-11-24T02:00:00Z");
    await s.post(s.fake.addExternalContact(CORP.corpId, { userId: "bob", externalUserId: "wmMIX", state: "mixed", withWelcomeCode: false }).request(CALLBACK_URL));
    await s.handler.drain();
    expect(await one(t.db, enrollment, [s.workspaceId])).toEqual({ ended_at: null, closed_channels: null });
  });

  it("a callback answered but never processed (the process stopped) is processed at the next start, once", async () => {
    const s = await setup();
    // the first process answers, then dies before its processing commits (its transactions fail)
    const dying = { ...t.db, sql: { ...t.db.sql, transaction: async () => Promise.reject(new Error("process stopped")) } } as typeof t.db;
    const first = createWeComCallbackHandler({ db: dying, registry: s.registry, workspaceId: s.workspaceId, corp: CORP, api: s.clients.wecom!, clock: s.clock, defaultJourney: "wecom-new" });
    const add = s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmSTOPPED" });
    expect((await first(add.request(CALLBACK_URL))).status).toBe(200);
    await first.drain();
    const enrolled = `SELECT count(*)::int AS n FROM enrollments e JOIN customers c ON c.id = e.customer_id WHERE c.wecom_external_user_id = 'wmSTOPPED'`;
    const waiting = `SELECT count(*)::int AS n FROM wecom_callbacks WHERE workspace_id = $1 AND processed_at IS NULL`;
    expect(await one(t.db, enrolled)).toEqual({ n: 0 });
    expect(await one(t.db, waiting, [s.workspaceId])).toEqual({ n: 1 });
    // the next start
    expect(await s.handler.recover()).toBe(1);
    await s.handler.drain();
    expect(s.processed.map((p) => [p.event.type, p.outcome])).toEqual([["add_external_contact", "processed"]]);
    expect(await one(t.db, enrolled)).toEqual({ n: 1 });
    expect(await one(t.db, waiting, [s.workspaceId])).toEqual({ n: 0 });
    expect(await s.handler.recover()).toBe(0);
    // processed callbacks are kept 30 days, then removed at a start
    const kept = `SELECT count(*)::int AS n FROM wecom_callbacks WHERE workspace_id = $1`;
    expect(await one(t.db, kept, [s.workspaceId])).toEqual({ n: 1 });
    await t.db.sql.execute(`UPDATE wecom_callbacks SET processed_at = $2 WHERE workspace_id = $1`, [s.workspaceId, new Date(s.clock().getTime() - 29 * 86_400_000)]);
    await s.handler.recover();
    expect(await one(t.db, kept, [s.workspaceId])).toEqual({ n: 1 });
    await t.db.sql.execute(`UPDATE wecom_callbacks SET processed_at = $2 WHERE workspace_id = $1`, [s.workspaceId, new Date(s.clock().getTime() - 31 * 86_400_000)]);
    await s.handler.recover();
    expect(await one(t.db, kept, [s.workspaceId])).toEqual({ n: 0 });
  });

  it("a callback whose processing failed is retried by a later recover() in the same process, once it is older than receivedBefore", async () => {
    const s = await setup();
    let failures = 1; // the database refuses the first processing transaction, then recovers
    const flaky = { ...t.db, sql: { ...t.db.sql, transaction: ((fn: never) => (failures-- > 0 ? Promise.reject(new Error("connection reset")) : t.db.sql.transaction(fn))) as typeof t.db.sql.transaction } } as typeof t.db;
    const processed: CallbackProcessed[] = [];
    const handler = createWeComCallbackHandler({ db: flaky, registry: s.registry, workspaceId: s.workspaceId, corp: CORP, api: s.clients.wecom!, clock: s.clock, defaultJourney: "wecom-new", onProcessed: (r) => processed.push(r) });
    expect((await handler(s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmFLAKY", withWelcomeCode: false }).request(CALLBACK_URL))).status).toBe(200);
    await handler.drain();
    expect(processed.map((p) => p.outcome)).toEqual(["error"]);
    const enrolled = `SELECT count(*)::int AS n FROM enrollments e JOIN customers c ON c.id = e.customer_id WHERE c.wecom_external_user_id = 'wmFLAKY'`;
    expect(await one(t.db, enrolled)).toEqual({ n: 0 });
    // Received just now: a periodic pass (received more than a minute ago) leaves it alone.
    expect(await handler.recover({ receivedBefore: new Date(s.now.t - 60_000) })).toBe(0);
    s.now.t += 61_000;
    expect(await handler.recover({ receivedBefore: new Date(s.now.t - 60_000) })).toBe(1);
    await handler.drain();
    expect(processed.map((p) => p.outcome)).toEqual(["error", "processed"]);
    expect(await one(t.db, enrolled)).toEqual({ n: 1 });
    expect(await handler.recover()).toBe(0);
  });

  it("recover() leaves a callback that is being processed to that processing", async () => {
    const s = await setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = { ...t.db, sql: { ...t.db.sql, transaction: (async (fn: never) => (await gate, t.db.sql.transaction(fn))) as typeof t.db.sql.transaction } } as typeof t.db;
    const processed: CallbackProcessed[] = [];
    const handler = createWeComCallbackHandler({ db: slow, registry: s.registry, workspaceId: s.workspaceId, corp: CORP, api: s.clients.wecom!, clock: s.clock, defaultJourney: "wecom-new", onProcessed: (r) => processed.push(r) });
    expect((await handler(s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmSLOW", withWelcomeCode: false }).request(CALLBACK_URL))).status).toBe(200);
    expect(await handler.recover()).toBe(0);
    release();
    await handler.drain();
    expect(processed.map((p) => p.outcome)).toEqual(["processed"]);
  });

  it("callbacks about other things are acknowledged and ignored", async () => {
    const s = await setup();
    const msg = s.fake.callback(CORP.corpId, { toUserName: CORP.corpId, fromUserName: "amy", createTime: Math.floor(s.now.t / 1000), type: "message", msgType: "text", content: "hi", msgId: "m1" });
    expect(await (await s.post(msg.request(CALLBACK_URL))).text()).toBe("success");
    await s.handler.drain();
    expect(s.processed.map((p) => p.outcome)).toEqual(["ignored"]);
    expect(SH).toBe("Asia/Shanghai");
  });
});
