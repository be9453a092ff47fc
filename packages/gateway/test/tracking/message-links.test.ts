// Tracked links of one-to-many messages: a 群发助手 task's links name the task (/t/m.<token>); an
// open by one of its recipients (snsapi_base) is their own open, anything else an anonymous one.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { JourneyDefinition } from "@sopline/core";
import { HttpResponse, http as mswHttp } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AddMsgTemplateRequest } from "../../src/channels/wecom/types.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { enrollCustomers } from "../../src/engine/enroll.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { createScheduler } from "../../src/engine/scheduler.js";
import { queryMetrics, refreshMetrics } from "../../src/metrics/index.js";
import { type Tracking, createTracking } from "../../src/tracking/index.js";
import { createAdapterRegistry, createDeliveryWorker } from "../../src/delivery/index.js";
import { type MassSendWorker, createMassSendWorker, createMomentsAdapter, createMomentsWorker } from "../../src/wecom-integration/index.js";
import { SH } from "../engine/fixtures.js";
import { CORP, type Env, OA, createEnv, seedWeComWorkspace } from "../wecom-integration/helpers.js";
import { beacon } from "./helpers.js";

const T0 = new Date("2026-11-23T02:00:00Z"); // Monday 10:00 Shanghai
const DAY1_0900 = new Date("2026-11-24T01:00:00Z");
const RUN = new Date("2026-11-24T02:01:00Z"); // the 10:00 slot, gathered a minute after
const PUBLIC_URL = "https://sop.example.com";
const WECHAT_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN";

const journey: JourneyDefinition = {
  id: "mass-read", version: 1, timezone: SH, entry: "new",
  stages: [
    { id: "new", sop: [{ id: "case", day: 1, at: "09:00", channel: "private_chat", delivery: "mass_send", content: "case-1" }] },
    { id: "interested", sop: [] },
  ],
  transitions: [{ from: "new", to: "interested", on: "content.opened" }],
};

// snsapi_base, mocked: each code names the reader it stands for.
const OPENIDS: Record<string, string> = { "code-recipient": "o-recipient", "code-other": "o-other" };
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => server.close());

const oauthExchange = mswHttp.get("https://api.weixin.qq.com/sns/oauth2/access_token", ({ request }) => {
  const openid = OPENIDS[new URL(request.url).searchParams.get("code") ?? ""];
  return HttpResponse.json(openid ? { access_token: "at", expires_in: 7200, openid, scope: "snsapi_base" } : { errcode: 40029, errmsg: "invalid code" });
});

/** A tracking handler served on a local port. */
async function serve(tracking: Tracking): Promise<{ base: string; close(): Promise<void> }> {
  const httpServer = http.createServer((req, res) => void tracking.handler(req, res, new URL(req.url ?? "/", "http://x").pathname));
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => httpServer.close(() => resolve())) };
}

/** The landing page's inline config. */
const pageConfig = async (res: Response) =>
  JSON.parse(/\}\)\((\{.*\})\);<\/script>/s.exec(await res.text())![1]!) as { openUrl: string; token: string; target: string; reader?: string; readerMac?: string };

describe("tracked links of a 群发助手 task", () => {
  let t: TestDatabase;
  let tracking: Tracking;
  let worker: MassSendWorker;
  let base: string;
  let served: Awaited<ReturnType<typeof serve>>;
  let workspaceId: string;
  let token: string;
  let env: Env;
  let now: { t: number };
  const customers: Record<string, string> = {};
  const events = async (name: string) => {
    await tracking.recorder.idle();
    return t.db.sql.query<{ customer_id: string; data: Record<string, unknown> }>(`SELECT customer_id, data FROM events WHERE workspace_id = $1 AND name = $2 ORDER BY received_at`, [workspaceId, name]);
  };
  const anonymousOpens = async () => (await t.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM tracked_message_opens WHERE workspace_id = $1`, [workspaceId]))[0]!.n;

  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    env = createEnv(server, T0);
    now = env.now; // the fake's clock too: send results carry its time
    server.use(oauthExchange);
    const ws = await seedWeComWorkspace(t.db, [journey]);
    workspaceId = ws.workspaceId;
    // Two recipients (one follows the official account) and a follower who got nothing.
    for (const [name, ext, openid] of [["recipient", "wmamy1", "o-recipient"], ["silent", "wmamy2", null], ["other", "wmamy3", "o-other"]] as const) {
      const [row] = await t.db.sql.query<{ id: string }>(
        `INSERT INTO customers (workspace_id, external_id, wecom_external_user_id, oa_open_id, staff_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [workspaceId, `c-${name}`, ext, openid, ws.staff[0]],
      );
      customers[name] = row!.id;
      env.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: ext, withWelcomeCode: false });
    }
    await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, ws.registry, ["recipient", "silent"].map((n) => ({ workspaceId, customer: { id: customers[n]! }, journeyKey: journey.id, staffId: ws.staff[0]! })), T0, emptyNotices()),
    );
    const clock = env.clock;
    tracking = createTracking(
      { db: t.db, registry: ws.registry, clock, secretKey: randomBytes(32), officialAccount: OA },
      { publicUrl: PUBLIC_URL, trustProxy: true, opensPerMinutePerAddress: 30 },
    );
    worker = createMassSendWorker({
      db: t.db, api: env.clients.wecom!, clock, workspaceIds: [workspaceId], pollIntervalMs: 10 * 60_000, renderMessage: tracking.messages.renderMessage,
    });
    now.t = DAY1_0900.getTime();
    await createScheduler({ db: t.db, registry: ws.registry, clock }).runOnce(DAY1_0900);
    now.t = RUN.getTime();
    expect(await worker.runOnce(RUN)).toMatchObject({ created: 1, customers: 2 });
    // Both confirmed by the staff member: the step's touches count as 群发 confirmed.
    const [call] = env.fake.callsTo("/cgi-bin/externalcontact/add_msg_template");
    const { msgid } = (await t.db.sql.query<{ msgid: string }>(`SELECT msgid FROM mass_sends WHERE workspace_id = $1`, [workspaceId]))[0]!;
    for (const ext of (call!.body as AddMsgTemplateRequest).external_userid!) env.fake.setSendStatus(msgid, ext, 1);
    now.t = RUN.getTime() + 10 * 60_000;
    expect(await worker.runOnce(new Date(now.t))).toMatchObject({ sent: 2 });

    served = await serve(tracking);
    base = served.base;
  });
  afterAll(async () => {
    await served?.close();
    await tracking?.stop();
    await t?.drop();
  });

  it("sends the task's content with signed links naming the task, not the raw link", async () => {
    const calls = (await t.db.sql.query<{ links: string[]; kind: string; step_id: string; channel: string }>(`SELECT links, kind, step_id, channel FROM tracked_messages WHERE workspace_id = $1`, [workspaceId]));
    expect(calls).toEqual([{ links: ["https://example.com/case-1"], kind: "mass_send", step_id: "case", channel: "private_chat" }]);
    const sent = JSON.stringify(env.fake.callsTo("/cgi-bin/externalcontact/add_msg_template").map((c) => c.body));
    expect(sent).not.toContain("https://example.com/case-1");
    const found = [...sent.matchAll(/https:\/\/sop\.example\.com\/t\/(m\.[A-Za-z0-9_-]+)/g)].map((m) => m[1]!);
    expect(found).toHaveLength(1);
    token = found[0]!;
  });

  it("counts nothing for HEAD or a page fetch; 404 with no hint for a tampered message token", async () => {
    expect((await fetch(`${base}/t/${token}`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${base}/t/${token}`)).status).toBe(200);
    const body = token.slice(2);
    const tampered = [`m.${body.slice(0, 4)}${body[4] === "A" ? "B" : "A"}${body.slice(5)}`, body, `m.${body}A`, "m.", "m.AAAAAAAAAAAAAAAAAAAAAA"];
    for (const w of tampered) {
      const page = await fetch(`${base}/t/${w}`);
      expect(page.status).toBe(404);
      expect(await page.text()).toBe("Not found");
      expect((await beacon(base, w, "open", { pv: "pv-tamper-01" })).status).toBe(404);
    }
    expect(await anonymousOpens()).toBe(0);
    expect(await events("content.opened")).toEqual([]);
  });

  it("an open by a recipient (snsapi_base) is their own content.opened with their delivery key, and moves them by the rule", async () => {
    const redirect = await fetch(`${base}/t/${token}`, { headers: { "user-agent": WECHAT_UA }, redirect: "manual" });
    expect(redirect.status).toBe(302);
    expect(new URL(redirect.headers.get("location")!).searchParams.get("redirect_uri")).toBe(`${PUBLIC_URL}/t/${token}`);
    const config = await pageConfig(await fetch(`${base}/t/${token}?code=code-recipient&state=sl`, { headers: { "user-agent": WECHAT_UA } }));
    expect(config).toMatchObject({ reader: "o-recipient", target: "https://example.com/case-1" });
    expect(config.token.startsWith("m.")).toBe(false); // their own delivery's link from here on
    const res = await beacon(base, config.token, "open", { pv: "pv-recipient-1", reader: config.reader, rm: config.readerMac });
    expect(res.status).toBe(204);
    await beacon(base, config.token, "leave", { pv: "pv-recipient-1", s: 70 });
    const [key] = await t.db.sql.query<{ key: string }>(`SELECT key FROM deliveries WHERE customer_id = $1 AND step_id = 'case'`, [customers["recipient"]]);
    const opened = await events("content.opened");
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ customer_id: customers["recipient"], data: { deliveryKey: key!.key, step: "case", content: "case-1", link: "https://example.com/case-1" } });
    expect((await events("content.read"))[0]!.data).toMatchObject({ deliveryKey: key!.key, seconds: 70 });
    const stages = await t.db.sql.query<{ customer_id: string; stage: string }>(`SELECT customer_id, stage FROM enrollments WHERE workspace_id = $1 AND ended_at IS NULL`, [workspaceId]);
    expect(Object.fromEntries(stages.map((s) => [s.customer_id, s.stage]))).toEqual({ [customers["recipient"]!]: "interested", [customers["silent"]!]: "new" });
    expect(await anonymousOpens()).toBe(0);
  });

  it("an open by a non-recipient or an unknown reader is an anonymous open of the task, counted once per page view in the step's opened figure", async () => {
    // A follower of the official account who is not among the task's recipients.
    const other = await pageConfig(await fetch(`${base}/t/${token}?code=code-other&state=sl`, { headers: { "user-agent": WECHAT_UA } }));
    expect(other).toMatchObject({ token, target: "https://example.com/case-1" });
    expect(other.reader).toBeUndefined();
    expect((await beacon(base, token, "open", { pv: "pv-other-0001" })).status).toBe(204);
    expect((await beacon(base, token, "open", { pv: "pv-other-0001" })).status).toBe(204); // a retried beacon
    // Outside WeChat nobody can be named.
    const unknown = await pageConfig(await fetch(`${base}/t/${token}`, { headers: { "user-agent": "Mozilla/5.0 Chrome/120" } }));
    expect(unknown.token).toBe(token);
    await beacon(base, token, "open", { pv: "pv-unknown-01" }, "198.51.100.9");
    expect((await beacon(base, token, "leave", { pv: "pv-unknown-01", s: 30 }, "198.51.100.9")).status).toBe(204); // accepted, not recorded
    expect(await anonymousOpens()).toBe(2);
    expect(await events("content.opened")).toHaveLength(1); // no customer invented
    expect(await events("content.read")).toHaveLength(1);

    await refreshMetrics(t.db.sql, workspaceId, new Date(now.t + 60_000));
    const rows = await queryMetrics(t.db.sql, workspaceId, { from: "2026-11-24", to: "2026-11-24", period: "total", groupBy: ["step"], filter: {} });
    expect(rows.find((r) => r.stepId === "case")).toMatchObject({ massConfirmed: 2, opened: 3, openedAnonymous: 2, read: 1 });
    // An anonymous open two days later (a day nothing else touches) is picked up by the next,
    // incremental run, like a later event: by received_at, which the database stamps (hence a run
    // time after any real clock).
    now.t = Date.parse("2026-11-26T02:00:00Z");
    await beacon(base, token, "open", { pv: "pv-later-0001" }, "198.51.100.10");
    await refreshMetrics(t.db.sql, workspaceId, new Date("2099-01-01T00:00:00Z"));
    const later = await queryMetrics(t.db.sql, workspaceId, { from: "2026-11-26", to: "2026-11-26", period: "total", groupBy: ["step"], filter: {} });
    expect(later).toMatchObject([{ stepId: "case", opened: 1, openedAnonymous: 1, massConfirmed: 0 }]);
  });
});

describe("tracked links of a Moments post", () => {
  const moment: JourneyDefinition = {
    id: "moments-read", version: 1, timezone: SH, entry: "new",
    stages: [{ id: "new", sop: [{ id: "post", day: 1, at: "20:00", channel: "moments", content: "m-car" }] }, { id: "interested", sop: [] }],
    transitions: [{ from: "new", to: "interested", on: "content.opened" }],
  };
  let t: TestDatabase;
  afterAll(async () => {
    await t?.drop();
  });

  it("posts with links naming the post; a tagged member's open is theirs, anyone else's anonymous", async () => {
    t = await createTestDatabase("pglite");
    const env = createEnv(server, T0);
    server.use(oauthExchange);
    const ws = await seedWeComWorkspace(t.db, [moment]);
    await t.db.sql.execute(`INSERT INTO contents (workspace_id, ref, title, body, type) VALUES ($1, 'm-car', 'car', $2::jsonb, 'article')`, [ws.workspaceId, JSON.stringify({ moment: { text: "新车到店 https://example.com/car" } })]);
    const [c] = await t.db.sql.query<{ id: string }>(
      `INSERT INTO customers (workspace_id, external_id, wecom_external_user_id, oa_open_id, staff_id) VALUES ($1, 'm1', 'wm-m1', 'o-recipient', $2) RETURNING id`,
      [ws.workspaceId, ws.staff[0]],
    );
    env.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wm-m1", withWelcomeCode: false });
    await t.db.sql.transaction((tx) => enrollCustomers(tx, ws.registry, [{ workspaceId: ws.workspaceId, customer: { id: c!.id }, journeyKey: moment.id, staffId: ws.staff[0]! }], T0, emptyNotices()));
    const tracking = createTracking({ db: t.db, registry: ws.registry, clock: env.clock, secretKey: randomBytes(32), officialAccount: OA }, { publicUrl: PUBLIC_URL, trustProxy: true });
    const evening = new Date("2026-11-24T12:00:00Z"); // day 1 20:00 Shanghai
    env.now.t = evening.getTime();
    await createScheduler({ db: t.db, registry: ws.registry, clock: env.clock }).runOnce(evening);
    await createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([createMomentsAdapter({ db: t.db })]), clock: env.clock, workspaceIds: [ws.workspaceId] }).runOnce(evening);
    await createMomentsWorker({ db: t.db, api: env.clients.wecom!, clock: env.clock, workspaceIds: [ws.workspaceId], renderMessage: tracking.messages.renderMessage }).runOnce(evening);

    const text = env.fake.moments[0]!.request.text!.content;
    const token = /^新车到店 https:\/\/sop\.example\.com\/t\/(m\.[A-Za-z0-9_-]+)$/.exec(text)?.[1];
    expect(token).toBeDefined();
    expect(await t.db.sql.query(`SELECT kind, step_id, channel, staff_id FROM tracked_messages`)).toEqual([{ kind: "moment", step_id: "post", channel: "moments", staff_id: ws.staff[0] }]);

    const { base, close } = await serve(tracking);
    try {
      const mine = await pageConfig(await fetch(`${base}/t/${token}?code=code-recipient&state=sl`, { headers: { "user-agent": WECHAT_UA } }));
      expect(mine.reader).toBe("o-recipient");
      await beacon(base, mine.token, "open", { pv: "pv-moment-own", reader: mine.reader, rm: mine.readerMac });
      const other = await pageConfig(await fetch(`${base}/t/${token}?code=code-other&state=sl`, { headers: { "user-agent": WECHAT_UA } }));
      expect(other.token).toBe(token);
      await beacon(base, token!, "open", { pv: "pv-moment-other" });
      await tracking.recorder.idle();
      const [key] = await t.db.sql.query<{ key: string }>(`SELECT key FROM deliveries WHERE customer_id = $1`, [c!.id]);
      expect(await t.db.sql.query(`SELECT customer_id, data->>'deliveryKey' AS key FROM events WHERE name = 'content.opened'`)).toEqual([{ customer_id: c!.id, key: key!.key }]);
      expect(await t.db.sql.query(`SELECT stage FROM enrollments WHERE customer_id = $1`, [c!.id])).toEqual([{ stage: "interested" }]);
      expect(await t.db.sql.query(`SELECT count(*)::int AS n FROM tracked_message_opens`)).toEqual([{ n: 1 }]);
    } finally {
      await close();
      await tracking.stop();
    }
  });
});
