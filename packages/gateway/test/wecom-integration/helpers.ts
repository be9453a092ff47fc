// Shared set-up for the WeCom integration tests: a mutable clock, the msw fake of WeCom/WeChat,
// API clients sharing one token cache, and a workspace with journeys and content.
import type { JourneyDefinition } from "@sopline/core";
import type { SetupServer } from "msw/node";
import { createFakeWeCom, type FakeWeCom } from "../../src/channels/testing/fake-wecom.js";
import type { Database } from "../../src/db/index.js";
import { JourneyRegistry } from "../../src/engine/journey-registry.js";
import { createChannelClients } from "../../src/wecom-integration/index.js";
import { SH, seedWorkspace } from "../engine/fixtures.js";

export const KEY = "kWxPEV2QE6N1q9oGNVb5XQCMO1XIQV0MPPkO5q5Fj5o";
export const CORP = { corpId: "wwsopline01", secret: "corp-secret", token: "cbtoken", encodingAesKey: KEY };
export const OTHER_CORP = { corpId: "wwsomeoneelse", secret: "x", token: "cbtoken", encodingAesKey: KEY };
export const OA = { appId: "wxoa0001", secret: "oa-secret" };
export const MP = { appId: "wxmp0001", secret: "mp-secret" };
export const CALLBACK_URL = "https://gateway.example/wecom/callback";

/**
 * Entry stage "new": welcome at once, re-greet after 2 h unless replied (automatic 1:1: only with a
 * private_chat adapter), two 群发助手 steps on day 1 09:00 (gathered into the 10:00 send slot).
 */
export const welcomeJourney: JourneyDefinition = {
  id: "wecom-new", version: 1, timezone: SH, entry: "new",
  stages: [
    {
      id: "new",
      sop: [
        { id: "greet", after: "0m", channel: "private_chat", content: "welcome" },
        { id: "regreet", after: "2h", channel: "private_chat", content: "regreet", unless: "message.replied" },
        { id: "case", day: 1, at: "09:00", channel: "private_chat", delivery: "mass_send", content: "case-1" },
        { id: "offer", day: 1, at: "09:00", channel: "private_chat", delivery: "mass_send", content: "offer-1" },
      ],
    },
    { id: "multi", sop: [] },
    { id: "converted", sop: [] },
  ],
  transitions: [
    { from: "new", to: "multi", on: "add_external_contact" },
    { from: "new", to: "converted", on: "order.paid" },
  ],
};

export const CONTENT: Record<string, unknown> = {
  welcome: { text: "你好，我是你的专属顾问 👋" },
  regreet: { text: "还在吗？给你准备了一份选购指南" },
  "case-1": { text: "客户案例：某车主的试驾体验", attachments: [{ msgtype: "link", link: { title: "案例", url: "https://example.com/case-1" } }] },
  "offer-1": { text: "本周试驾礼" },
};

export interface Env {
  now: { t: number };
  clock: () => Date;
  fake: FakeWeCom;
  clients: ReturnType<typeof createChannelClients>;
}

/** A fresh fake + clients at `start`; registers the fake's handlers on `server`. */
export function createEnv(server: SetupServer, start: Date): Env {
  const now = { t: start.getTime() };
  const clock = () => new Date(now.t);
  const fake = createFakeWeCom({ now: () => now.t, corps: [CORP, OTHER_CORP], apps: [OA, { ...MP, templateIds: ["tpl-remind"] }] });
  server.use(...fake.handlers);
  const clients = createChannelClients({ clock, wecom: { corpId: CORP.corpId, secret: CORP.secret }, officialAccount: OA, miniProgram: MP });
  return { now, clock, fake, clients };
}

export async function seedWeComWorkspace(db: Database, journeys: JourneyDefinition[] = [welcomeJourney]) {
  const seeded = await seedWorkspace(db, journeys);
  for (const [ref, body] of Object.entries(CONTENT)) {
    await db.sql.execute(`INSERT INTO contents (workspace_id, ref, title, body, type) VALUES ($1, $2, $2, $3::jsonb, 'greeting')`, [seeded.workspaceId, ref, JSON.stringify(body)]);
  }
  return { ...seeded, registry: new JourneyRegistry() };
}

export async function one<T = Record<string, unknown>>(db: Database, text: string, params: unknown[] = []): Promise<T> {
  const [row] = await db.sql.query<T>(text, params);
  return row!;
}
