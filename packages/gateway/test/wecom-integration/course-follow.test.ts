// The ¥8.9 course example (examples/journeys/course-8-9.ts) end to end on the official account:
// the follow push enrols through the segment rule, the scheduler and the delivery worker run on an
// injected clock, and WeChat's side (48 h customer-service window) is the msw fake. A follower at
// 23:30 and one at 14:00 each get the 11 touches within 2 days, inside 08:00–22:00, never over
// the workspace cap of 6 a day, and never several at the window's opening.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { course89 } from "../../../../examples/journeys/index.js";
import { buildFollowEventXml, signPushRequest } from "../../src/channels/wechat/message-push.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { createAdapterRegistry, createDeliveryWorker } from "../../src/delivery/index.js";
import { createScheduler } from "../../src/engine/scheduler.js";
import { createOfficialAccountAdapter, createOfficialAccountHandler } from "../../src/wecom-integration/index.js";
import { OA, createEnv, seedWeComWorkspace } from "./helpers.js";

const SH_OFFSET = 8 * 3_600_000;
const sh = (local: string) => Date.parse(`${local}:00+08:00`);
const local = (t: number) => new Date(t + SH_OFFSET).toISOString().slice(0, 16).replace("T", " ");
const START = sh("2026-11-23T14:00");
const END = sh("2026-11-27T00:00");
const TICK = 10 * 60_000;
const ACCOUNT = { appId: OA.appId, token: "oa-push-token" };
const CAP = 6;
const FIRST_TWO_DAYS = ["offer", "brand-qa", "objection-price", "article-1", "student-case-1", "hello-1", "objection-time", "article-2", "student-case-2", "hello-2", "last-call"];

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe.each(["pglite", "postgres"] as const)("the ¥8.9 course on the official account on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("a follower at 23:30 and one at 14:00 get the 11 touches in 2 days, inside the window, under the cap, spread from the opening", async () => {
    const env = createEnv(server, new Date(START));
    const { now, clock, fake, clients } = env;
    const { workspaceId, registry, staff } = await seedWeComWorkspace(t.db, [course89]);
    await t.db.sql.execute(`UPDATE workspaces SET settings = settings || $2::jsonb WHERE id = $1`, [workspaceId, JSON.stringify({ marketingCap: { perDay: CAP } })]);
    for (const ref of new Set(course89.stages.flatMap((s) => (s.sop ?? []).map((step) => step.content)))) {
      await t.db.sql.execute(`INSERT INTO contents (workspace_id, ref, title, body, type) VALUES ($1, $2, $2, $3::jsonb, 'article') ON CONFLICT DO NOTHING`, [workspaceId, ref, JSON.stringify({ text: `内容 ${ref}` })]);
    }
    // as `--load-examples` routes followers: the course's QR code scene
    await t.db.sql.execute(`INSERT INTO segment_rules (workspace_id, name, match, journey_key, staff_id) VALUES ($1, 'course QR', $2::jsonb, 'course-8-9', $3)`, [workspaceId, JSON.stringify({ source: "official_account", scene: "course" }), staff[0]]);

    const handler = createOfficialAccountHandler({ db: t.db, registry, workspaceId, account: ACCOUNT, clock });
    const scheduler = createScheduler({ db: t.db, registry, clock });
    const worker = createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([createOfficialAccountAdapter({ api: clients.officialAccount! })]), clock, workspaceIds: [workspaceId] });
    const follow = async (openid: string) => {
      fake.follow(OA.appId, openid, { lastInteractionAt: now.t });
      const ts = Math.floor(now.t / 1000);
      const xml = buildFollowEventXml({ type: "subscribe", openid, account: "gh_course", createTime: ts, scene: "course" });
      const signed = signPushRequest(ACCOUNT, xml, { timestamp: ts, nonce: `n-${openid}` });
      const res = await handler(new Request(`https://gateway.example/wechat/callback?${new URLSearchParams(signed.query)}`, { method: "POST", body: signed.body }));
      expect(await res.text()).toBe("success");
    };
    const follows: Record<string, number> = { oDAY: sh("2026-11-23T14:00"), oNIGHT: sh("2026-11-23T23:30") };

    for (now.t = START; now.t <= END; now.t += TICK) {
      for (const [openid, at] of Object.entries(follows)) if (at === now.t) await follow(openid);
      await scheduler.runOnce(clock());
      await worker.runOnce(clock());
    }

    for (const [openid, followedAt] of Object.entries(follows)) {
      const rows = await t.db.sql.query<{ step_id: string; status: string; reason: string | null; due_at: Date; sent_at: Date | null }>(
        `SELECT d.step_id, d.status, d.reason, d.due_at, d.sent_at FROM deliveries d JOIN customers c ON c.id = d.customer_id WHERE c.oa_open_id = $1 ORDER BY d.due_at, d.step_id`,
        [openid],
      );
      expect(rows.map((r) => r.step_id).sort(), openid).toEqual([...FIRST_TWO_DAYS].sort());
      expect(rows.every((r) => r.status === "sent"), openid).toBe(true);
      // WeChat got all 11 as customer-service messages inside the 48 h the follow opened
      expect(fake.sent.custom.filter((m) => m.touser === openid)).toHaveLength(11);
      const sent = rows.map((r) => new Date(r.sent_at!).getTime());
      for (const at of sent) {
        expect(at - followedAt, `${openid} ${local(at)}`).toBeLessThan(48 * 3_600_000);
        const minutes = Number(local(at).slice(11, 13)) * 60 + Number(local(at).slice(14, 16));
        expect(minutes >= 8 * 60 && minutes <= 22 * 60, `${openid} sent at ${local(at)}`).toBe(true);
      }
      const perDay = new Map<string, number>();
      for (const at of sent) perDay.set(local(at).slice(0, 10), (perDay.get(local(at).slice(0, 10)) ?? 0) + 1);
      expect(Math.max(...perDay.values()), openid).toBeLessThanOrEqual(CAP);
      // never two touches at once, at most one at each morning's opening
      expect(new Set(sent).size, openid).toBe(sent.length);
      expect(sent.filter((at) => local(at).endsWith("08:00")).length, openid).toBeLessThanOrEqual(perDay.size);
    }

    const timeline = async (openid: string) =>
      (await t.db.sql.query<{ step_id: string; sent_at: Date }>(`SELECT d.step_id, d.sent_at FROM deliveries d JOIN customers c ON c.id = d.customer_id WHERE c.oa_open_id = $1 ORDER BY d.sent_at, d.step_id`, [openid])).map(
        (r) => `${r.step_id}@${local(new Date(r.sent_at).getTime())}`,
      );
    // 14:00: everything at its own time
    expect(await timeline("oDAY")).toEqual([
      "offer@2026-11-23 14:00", "brand-qa@2026-11-23 14:30", "objection-price@2026-11-23 16:00", "article-1@2026-11-23 20:00", "student-case-1@2026-11-23 21:30",
      "hello-1@2026-11-24 08:00", "objection-time@2026-11-24 12:00", "article-2@2026-11-24 18:00", "student-case-2@2026-11-24 21:00",
      "hello-2@2026-11-25 08:00", "last-call@2026-11-25 08:30",
    ]);
    // 23:30: the night's backlog an hour apart from 08:00 by priority, the day's excess the next day
    expect(await timeline("oNIGHT")).toEqual([
      "offer@2026-11-24 08:00", "brand-qa@2026-11-24 09:00", "objection-price@2026-11-24 10:00", "article-1@2026-11-24 11:00", "student-case-1@2026-11-24 12:00", "hello-1@2026-11-24 13:00",
      "hello-2@2026-11-25 08:00", "last-call@2026-11-25 08:30", "objection-time@2026-11-25 12:00", "article-2@2026-11-25 18:00", "student-case-2@2026-11-25 21:00",
    ]);
  });
});
