import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SignalAdapter, acquisitionAssistantAdapter, chatArchiveAdapter } from "../../src/index.js";
import { createWorkspace } from "../../src/auth/index.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { type Gateway, createGateway } from "../../src/server/create-gateway.js";

// Chat archive (会话存档) and 获客助手 signals through registered adapters: each payload becomes
// message.replied / contact.added with the adapter's source, ingested once per id.

const NOW = new Date("2026-12-07T02:00:00Z");

/** What a chat-archive reader might hand over: decoded messages, from customers and from staff. */
interface ArchiveBatch { messages: Array<{ msgid: string; from: string; tolist: string[]; msgtime: number; text?: string }> }
const fakeArchive = chatArchiveAdapter((payload) =>
  (payload as ArchiveBatch).messages
    .filter((m) => m.from.startsWith("wm")) // external contacts' ids start with wm / wo: a customer wrote
    .map((m) => ({ id: m.msgid, customer: m.from, name: "message.replied" as const, at: m.msgtime, data: { staffUserId: m.tolist[0], ...(m.text ? { text: m.text } : {}) } })),
);
const fakeAcquisition = acquisitionAssistantAdapter((payload) => {
  const p = payload as { ChangeType: string; ExternalUserID: string; UserID: string; CreateTime: number; MsgId?: string };
  const name = p.ChangeType === "customer_start_chat" ? ("contact.added" as const) : ("message.replied" as const);
  return [{ id: `${p.ChangeType}:${p.ExternalUserID}:${p.CreateTime}`, customer: p.ExternalUserID, name, at: p.CreateTime * 1000, data: { userId: p.UserID } }];
});
const broken: SignalAdapter = { name: "broken", source: "x", toEvents: () => [{ id: "1", customer: "c", name: "link.clicked" as never, at: NOW }] };

describe("reply signal adapters (pglite)", () => {
  let t: TestDatabase;
  let gateway: Gateway;
  let key: string;
  let workspaceId: string;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    gateway = await createGateway({ db: t.db, clock: () => NOW, graphiql: false, logger: false, signalAdapters: [fakeArchive, fakeAcquisition, broken] });
    const ws = await createWorkspace(t.db.sql, { name: "signals" });
    key = ws.apiKey;
    workspaceId = ws.id;
    await t.db.sql.execute(`INSERT INTO customers (workspace_id, external_id, wecom_external_user_id) VALUES ($1, 'lead-1', 'wmLEAD1')`, [workspaceId]);
  });
  afterAll(async () => {
    await gateway?.stop();
    await t?.drop();
  });

  const post = (path: string, body: unknown, credential: string | null = key) =>
    gateway.yoga.fetch(`http://gw${path}`, { method: "POST", headers: { "content-type": "application/json", ...(credential ? { authorization: `Bearer ${credential}` } : {}) }, body: JSON.stringify(body) });
  const events = async () =>
    (await t.db.sql.query<{ event_id: string; name: string; data: Record<string, unknown> }>(`SELECT event_id, name, data FROM events WHERE workspace_id = $1 ORDER BY event_id`, [workspaceId]));

  it("a chat-archive batch records the customers' messages as message.replied with source chat_archive, once", async () => {
    const batch: ArchiveBatch = {
      messages: [
        { msgid: "m1", from: "wmLEAD1", tolist: ["amy"], msgtime: NOW.getTime() - 60_000, text: "价格多少" },
        { msgid: "m2", from: "amy", tolist: ["wmLEAD1"], msgtime: NOW.getTime() - 30_000, text: "您好" },
      ],
    };
    const res = await post("/webhooks/signals/chat-archive", batch);
    expect([res.status, await res.json()]).toEqual([200, { accepted: 1, duplicates: 0, rejected: [] }]);
    expect(await (await post("/webhooks/signals/chat-archive", batch)).json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await events()).toEqual([{ event_id: "chat_archive:m1", name: "message.replied", data: { staffUserId: "amy", text: "价格多少", source: "chat_archive" } }]);
  });

  it("获客助手: customer_start_chat is contact.added, message_from_customer is message.replied, both with source acquisition_assistant", async () => {
    const at = Math.floor(NOW.getTime() / 1000) - 10;
    await post("/webhooks/signals/acquisition-assistant", { ChangeType: "customer_start_chat", ExternalUserID: "wmLEAD1", UserID: "amy", CreateTime: at });
    const res = await post("/webhooks/signals/acquisition-assistant", { ChangeType: "message_from_customer", ExternalUserID: "wmLEAD1", UserID: "amy", CreateTime: at + 5 });
    expect(await res.json()).toMatchObject({ accepted: 1 });
    const rows = (await events()).filter((e) => e.data.source === "acquisition_assistant");
    expect(rows.map((e) => e.name)).toEqual(["contact.added", "message.replied"]);
  });

  it("refuses unknown adapters, other credentials and events other than replies or adds, storing nothing", async () => {
    const before = (await events()).length;
    expect((await post("/webhooks/signals/nope", {})).status).toBe(404);
    expect((await post("/webhooks/signals/chat-archive", { messages: [] }, null)).status).toBe(401);
    const bad = await post("/webhooks/signals/broken", {});
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('adapter \\"broken\\": events[0].name: expected message.replied or contact.added, got \\"link.clicked\\"');
    expect((await events()).length).toBe(before);
    await expect(createGateway({ db: t.db, clock: () => NOW, logger: false, signalAdapters: [fakeArchive, fakeArchive] })).rejects.toThrow(/signalAdapters\[1\]\.name: "chat-archive" is registered twice/);
  });
});
