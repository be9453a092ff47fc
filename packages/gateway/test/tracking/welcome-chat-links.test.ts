// Bodies sent outside the delivery worker to one customer carry tracked links of that delivery:
// the welcome message (send_welcome_msg) and a chat task's toolbar messages (Task.chatMessages).
import { randomBytes } from "node:crypto";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { createTracking } from "../../src/tracking/index.js";
import { createWeComCallbackHandler } from "../../src/wecom-integration/index.js";
import { CALLBACK_URL, CORP, createEnv, seedWeComWorkspace } from "../wecom-integration/helpers.js";
import { PUBLIC_URL, beacon, trackedFixture } from "./helpers.js";

const server = setupServer();
const TOKEN = /https:\/\/sop\.example\.com\/t\/([A-Za-z0-9_-]+)/g;
const tokensIn = (value: unknown) => [...JSON.stringify(value).matchAll(TOKEN)].map((m) => m[1]!);

describe("tracked links of one customer's bodies sent outside the delivery worker", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    server.listen({ onUnhandledRequest: "bypass" });
    t = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    server.close();
    await t?.drop();
  });

  it("the welcome message's links name the welcome delivery", async () => {
    const env = createEnv(server, new Date("2026-11-23T02:00:00Z"));
    const ws = await seedWeComWorkspace(t.db);
    await t.db.sql.execute(`UPDATE contents SET body = $2::jsonb WHERE workspace_id = $1 AND ref = 'welcome'`, [ws.workspaceId, JSON.stringify({ text: "你好 👋 选购指南 https://example.com/guide" })]);
    const tracking = createTracking({ db: t.db, registry: ws.registry, clock: env.clock, secretKey: randomBytes(32) }, { publicUrl: PUBLIC_URL });
    const handler = createWeComCallbackHandler({
      db: t.db, registry: ws.registry, workspaceId: ws.workspaceId, corp: CORP, api: env.clients.wecom!, clock: env.clock, defaultJourney: "wecom-new",
      renderWelcome: tracking.messages.renderDelivery,
    });
    await handler(env.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmWELCOME" }).request(CALLBACK_URL));
    await handler.drain();
    expect(env.fake.welcomeSent).toHaveLength(1);
    const text = env.fake.welcomeSent[0]!.request.text!.content;
    expect(text).toMatch(/^你好 👋 选购指南 https:\/\/sop\.example\.com\/t\/[A-Za-z0-9_-]+$/);
    const [row] = await t.db.sql.query<{ delivery_key: string; step_id: string; links: string[] }>(`SELECT delivery_key, step_id, links FROM tracked_deliveries WHERE workspace_id = $1`, [ws.workspaceId]);
    expect(row).toMatchObject({ step_id: "greet", links: ["https://example.com/guide"] });
    const [sent] = await t.db.sql.query<{ key: string; status: string }>(`SELECT key, status FROM deliveries WHERE workspace_id = $1 AND step_id = 'greet'`, [ws.workspaceId]);
    expect(sent).toEqual({ key: row!.delivery_key, status: "sent" });
    await tracking.stop();
  });

  it("a chat task's toolbar messages carry links of its delivery, the same on every read, and an open records it", async () => {
    const f = await trackedFixture(t.db);
    try {
      const [d] = await t.db.sql.query<{ key: string; staff_id: string }>(
        `SELECT d.key, e.staff_id FROM deliveries d JOIN enrollments e ON e.id = d.enrollment_id WHERE d.customer_id = $1 AND d.step_id = 'case'`,
        [f.customerId],
      );
      await t.db.sql.execute(
        `INSERT INTO tasks (workspace_id, staff_id, customer_id, kind, channel, content, title, due_at, delivery_key) VALUES ($1, $2, $3, 'chat', 'private_chat', 'case-1', 'chat', $4, $5)`,
        [f.workspaceId, d!.staff_id, f.customerId, f.clock.now, d!.key],
      );
      const read = async () => {
        const res = await f.gateway.yoga.fetch("http://yoga/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${f.apiKey}` },
          body: JSON.stringify({ query: `{ tasksSince(seq: "0") { kind chatMessages } }` }),
        });
        return ((await res.json()) as { data: { tasksSince: Array<{ kind: string; chatMessages: unknown }> } }).data.tasksSince.find((x) => x.kind === "chat")!.chatMessages;
      };
      const messages = (await read()) as Array<{ msgtype: string; text?: { content: string }; news?: { link: string } }>;
      const tokens = tokensIn(messages);
      expect(tokens).toHaveLength(2);
      expect(messages[0]!.text!.content).toBe(`客户案例 ${PUBLIC_URL}/t/${tokens[0]} ，试用：`);
      expect(messages[1]!.news!.link).toBe(`${PUBLIC_URL}/t/${tokens[1]}`);
      expect(await read()).toEqual(messages);
      await beacon(f.base, tokens[1]!, "open", { pv: "pv-chat-task-1" });
      const [opened] = await f.events("content.opened");
      expect(opened!.data).toMatchObject({ deliveryKey: d!.key, step: "case", link: "https://example.com/trial?src=sop#top" });
    } finally {
      await f.close();
    }
  });
});
