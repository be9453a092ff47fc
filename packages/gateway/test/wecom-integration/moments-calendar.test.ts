import { type JourneyDefinition, validateJourney } from "@sopline/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { createAdapterRegistry, createDeliveryWorker } from "../../src/delivery/index.js";
import { enrollCustomers } from "../../src/engine/enroll.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { createScheduler } from "../../src/engine/scheduler.js";
import { createChannels } from "../../src/server/channels.js";
import { createMomentsAdapter, createMomentsWorker, resolveMomentsPolicy } from "../../src/wecom-integration/index.js";
import { SH } from "../engine/fixtures.js";
import { UPSERT_JOURNEY, createHarness, errorCodes } from "../graphql/helpers.js";
import { CORP, createEnv, seedWeComWorkspace } from "./helpers.js";

const DAY = 86_400_000;
const T0 = new Date("2026-11-23T02:00:00Z"); // Monday 10:00 Shanghai: day 0
/** 20:00 Shanghai on day `d` */
const eveningOf = (d: number) => new Date(Date.UTC(2026, 10, 23, 12) + d * DAY);
const morningOf = (d: number) => new Date(T0.getTime() + d * DAY);

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** The operators' case: a "day 1 20:00 Moments" step tied to each new friend. */
const dailyMoment: JourneyDefinition = {
  id: "moments-cal", version: 1, timezone: SH, entry: "new",
  stages: [{ id: "new", sop: [{ id: "post", day: 1, at: "20:00", channel: "moments", content: "m-car" }] }],
};
/** Two contents due at the same evening; the second has its own 3-day period. */
const twoMoments: JourneyDefinition = {
  id: "moments-two", version: 1, timezone: SH, entry: "new",
  stages: [{ id: "new", sop: [
    { id: "car", day: 1, at: "20:00", channel: "moments", content: "m-car" },
    { id: "tea", day: 1, at: "20:00", channel: "moments", content: "m-tea", moments: { period: "3d" } },
  ] }],
};

describe.each(["pglite", "postgres"] as const)("Moments as a staff calendar on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  async function setup(journey: JourneyDefinition, settings: Record<string, unknown> = {}) {
    const env = createEnv(server, T0);
    const ws = await seedWeComWorkspace(t.db, [journey]);
    if (Object.keys(settings).length) await t.db.sql.execute(`UPDATE workspaces SET settings = settings || $2::jsonb WHERE id = $1`, [ws.workspaceId, JSON.stringify(settings)]);
    for (const [ref, text] of [["m-car", "新车到店，欢迎试驾"], ["m-tea", "周末品茶会"]]) {
      await t.db.sql.execute(`INSERT INTO contents (workspace_id, ref, title, body, type) VALUES ($1, $2, $2, $3::jsonb, 'article')`, [ws.workspaceId, ref, JSON.stringify({ moment: { text } })]);
    }
    const scheduler = createScheduler({ db: t.db, registry: ws.registry, clock: env.clock });
    const adapters = createAdapterRegistry([createMomentsAdapter({ db: t.db })]);
    const delivery = createDeliveryWorker({ db: t.db, adapters, clock: env.clock, workspaceIds: [ws.workspaceId] });
    const moments = createMomentsWorker({ db: t.db, api: env.clients.wecom!, clock: env.clock, workspaceIds: [ws.workspaceId] });
    let n = 0;
    /** A new WeCom friend of `user` (amy = staff[0], bob = staff[1]) enrolled now. */
    const addFriend = async (user: "amy" | "bob" = "amy") => {
      const ext = `wm-${user}-${++n}`;
      const [c] = await t.db.sql.query<{ id: string }>(
        `INSERT INTO customers (workspace_id, external_id, wecom_external_user_id, staff_id) VALUES ($1, $2, $2, $3) RETURNING id`,
        [ws.workspaceId, ext, ws.staff[user === "amy" ? 0 : 1]],
      );
      env.fake.addExternalContact(CORP.corpId, { userId: user, externalUserId: ext, withWelcomeCode: false });
      const now = env.clock();
      await t.db.sql.transaction((tx) => enrollCustomers(tx, ws.registry, [{ workspaceId: ws.workspaceId, customer: { id: c!.id }, journeyKey: journey.id, staffId: ws.staff[user === "amy" ? 0 : 1]! }], now, emptyNotices()));
      return ext;
    };
    /** Everything the gateway's workers do at `at`. */
    const tick = async (at: Date) => {
      env.now.t = at.getTime();
      await scheduler.runOnce(at);
      await delivery.runOnce(at);
      return moments.runOnce(at);
    };
    const deliveries = () =>
      t.db.sql.query<{ key: string; ext: string; step_id: string; status: string; provider_id: string | null; provider_error: string | null; post_id: string | null }>(
        `SELECT d.key, c.wecom_external_user_id AS ext, d.step_id, d.status, d.provider_id, d.provider_error, m.post_id
         FROM deliveries d JOIN customers c ON c.id = d.customer_id LEFT JOIN moment_post_members m ON m.delivery_key = d.key
         WHERE d.workspace_id = $1 AND d.channel = 'moments' ORDER BY ext, d.step_id`,
        [ws.workspaceId],
      );
    const posts = () =>
      t.db.sql.query<{ id: string; sender: string; content: string; status: string; jobid: string | null; tag_id: string | null; posted_at: Date | null; period_ends_at: Date | null; next_attempt_at: Date; tag_removed_at: Date | null }>(
        `SELECT id, sender, content, status, jobid, tag_id, posted_at, period_ends_at, next_attempt_at, tag_removed_at FROM moment_posts WHERE workspace_id = $1 ORDER BY created_at, content`,
        [ws.workspaceId],
      );
    return { ...env, ...ws, addFriend, tick, deliveries, posts };
  }

  it("one new friend a day for 5 days with a 'day 1 20:00 Moments' step: one post, not five; each step counts once and rides on it", async () => {
    const s = await setup(dailyMoment);
    s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wm-not-in-journey", withWelcomeCode: false });
    const friends: string[] = [];
    for (let d = 0; d < 5; d++) {
      await s.tick(morningOf(d));
      friends.push(await s.addFriend("amy"));
      await s.tick(eveningOf(d));
    }
    const bobs = await s.addFriend("bob"); // day 4: bob's own calendar
    for (let d = 5; d <= 6; d++) await s.tick(eveningOf(d));

    const amyPosts = s.fake.moments.filter((m) => m.request.visible_range?.sender_list?.user_list?.includes("amy"));
    expect(amyPosts).toHaveLength(1);
    const post = amyPosts[0]!;
    expect(post.at).toBe(eveningOf(1).getTime()); // the first friend's slot
    const [stored] = (await s.posts()).filter((p) => p.sender === "amy");
    expect(post.request).toEqual({
      text: { content: "新车到店，欢迎试驾" },
      visible_range: { sender_list: { user_list: ["amy"] }, external_contact_list: { tag_list: [stored!.tag_id] } },
    });
    // Visible to the tagged cohort only: the five who rode on it, not amy's other customers.
    expect(s.fake.momentAudience(post.jobid)).toEqual([...friends].sort());
    expect(s.fake.callsTo("/cgi-bin/externalcontact/mark_tag")).toHaveLength(6); // amy's 5 + bob's 1
    expect(stored).toMatchObject({ status: "posted", jobid: post.jobid });
    expect(stored!.period_ends_at!.getTime()).toBe(eveningOf(1).getTime() + 7 * DAY);

    const rows = await s.deliveries();
    expect(rows).toHaveLength(6);
    for (const r of rows.filter((r) => r.ext !== bobs)) expect(r).toMatchObject({ status: "sent", provider_id: post.jobid, post_id: stored!.id });
    const bobPost = s.fake.moments.find((m) => m.request.visible_range?.sender_list?.user_list?.includes("bob"))!;
    expect(rows.find((r) => r.ext === bobs)).toMatchObject({ status: "sent", provider_id: bobPost.jobid });
    expect(s.fake.moments).toHaveLength(2);

    // After the period the cohort tag is deleted; a friend due later gets a new post.
    const late = await s.addFriend("amy"); // day 6 evening → due day 7 20:00: still inside amy's period
    await s.tick(eveningOf(7));
    expect(s.fake.moments).toHaveLength(2);
    expect((await s.deliveries()).find((r) => r.ext === late)).toMatchObject({ status: "sent", provider_id: post.jobid });
    await s.tick(eveningOf(8));
    expect((await s.posts()).find((p) => p.id === stored!.id)!.tag_removed_at).not.toBeNull();
    expect(s.fake.corpTags.has(stored!.tag_id!)).toBe(false);
    s.now.t = eveningOf(8).getTime() + 3_600_000;
    const next = await s.addFriend("amy"); // day 8 21:00 → due day 9 20:00, after the period
    await s.tick(eveningOf(9));
    const amyNow = s.fake.moments.filter((m) => m.request.visible_range?.sender_list?.user_list?.includes("amy"));
    expect(amyNow).toHaveLength(2);
    expect(s.fake.momentAudience(amyNow[1]!.jobid)).toEqual([next]);
  });

  it("a cap of 1 post per staff member per day: a second content due the same evening waits for the next evening, never dropped", async () => {
    const s = await setup(twoMoments);
    await s.addFriend("amy");
    const first = await s.tick(eveningOf(1));
    expect(first).toMatchObject({ posted: 1, deferred: 1 });
    expect(s.fake.moments).toHaveLength(1);
    let [car, tea] = await s.posts();
    const waiting = car!.status === "waiting" ? car! : tea!;
    expect(waiting.status).toBe("waiting");
    expect(waiting.next_attempt_at.getTime()).toBe(eveningOf(2).getTime()); // same slot, next day
    // waiting for the cap is not a failed try: days of waiting never turn into a give-up
    expect(await t.db.sql.query(`SELECT attempts FROM moment_posts WHERE id = $1`, [waiting.id])).toEqual([{ attempts: 0 }]);
    expect((await s.deliveries()).map((r) => r.status).sort()).toEqual(["pending", "sent"]);

    expect(await s.tick(new Date(eveningOf(1).getTime() + 3 * 3_600_000))).toMatchObject({ posted: 0 }); // 23:00: still today
    await s.tick(eveningOf(2));
    expect(s.fake.moments).toHaveLength(2);
    expect(s.fake.moments.map((m) => m.at)).toEqual([eveningOf(1).getTime(), eveningOf(2).getTime()]);
    expect((await s.deliveries()).every((r) => r.status === "sent")).toBe(true);
    [car, tea] = await s.posts();
    // a step's own period wins over the default 7 days
    expect(tea!.period_ends_at!.getTime() - tea!.posted_at!.getTime()).toBe(3 * DAY);
    expect(car!.period_ends_at!.getTime() - car!.posted_at!.getTime()).toBe(7 * DAY);
  });

  it("the workspace setting raises the cap; a customer no longer a friend fails with WeCom's code and the others still ride", async () => {
    const s = await setup(twoMoments, { moments: { postsPerStaffPerDay: 2 } });
    const kept = await s.addFriend("amy");
    const gone = await s.addFriend("amy");
    s.fake.customerDeletesStaff(CORP.corpId, { userId: "amy", externalUserId: gone }); // WeCom knows; sopline was not told
    expect(await s.tick(eveningOf(1))).toMatchObject({ posted: 2, deferred: 0, failed: 2 });
    const rows = await s.deliveries();
    expect(rows.filter((r) => r.ext === kept).every((r) => r.status === "sent")).toBe(true);
    expect(rows.filter((r) => r.ext === gone).map((r) => [r.status, r.provider_error])).toEqual([["failed", "84061"], ["failed", "84061"]]);
    for (const m of s.fake.moments) expect(s.fake.momentAudience(m.jobid)).toEqual([kept]);

    // Bob's only customer is gone too: no post at all, and its tag does not stay behind in WeCom.
    s.now.t = eveningOf(1).getTime();
    const lonely = await s.addFriend("bob");
    s.fake.customerDeletesStaff(CORP.corpId, { userId: "bob", externalUserId: lonely });
    expect(await s.tick(eveningOf(2))).toMatchObject({ posted: 0, failed: 2, tagsRemoved: 2 });
    expect(s.fake.moments).toHaveLength(2);
    expect((await s.posts()).filter((p) => p.sender === "bob").map((p) => p.status)).toEqual(["failed", "failed"]);
    expect(s.fake.corpTags.size).toBe(2); // amy's two posts' tags, inside their period
  });

  it("a worker dying after the adapter: the retried claim rides on the same post once; WeCom down: the post waits and is published once later", async () => {
    const s = await setup(dailyMoment);
    await s.addFriend("amy");
    await s.addFriend("amy");
    s.now.t = eveningOf(1).getTime();
    await createScheduler({ db: t.db, registry: s.registry, clock: s.clock }).runOnce(eveningOf(1));
    let crash = true;
    const dying = createDeliveryWorker({
      db: t.db, adapters: createAdapterRegistry([createMomentsAdapter({ db: t.db })]), clock: s.clock, workspaceIds: [s.workspaceId], leaseMs: 60_000,
      onPoint: (point) => {
        if (point === "after-deliver" && crash) {
          crash = false;
          throw new Error("worker killed");
        }
      },
    });
    await expect(dying.runOnce(eveningOf(1))).rejects.toThrow("worker killed");
    expect((await s.deliveries()).map((r) => r.status)).toEqual(["sending", "sending"]);
    // WeCom answers 5xx to the post: it goes back to waiting, nothing is lost
    s.fake.failNext("/cgi-bin/externalcontact/add_moment_task", { status: 503 });
    const later = new Date(eveningOf(1).getTime() + 2 * 60_000); // the lease is over
    expect(await s.tick(later)).toMatchObject({ posted: 0 });
    expect((await s.deliveries()).map((r) => r.status)).toEqual(["pending", "pending"]);
    const [waiting] = await s.posts();
    expect(waiting).toMatchObject({ status: "waiting" });
    expect(await t.db.sql.query(`SELECT 1 FROM moment_post_members WHERE post_id = $1`, [waiting!.id])).toHaveLength(2);
    expect(await s.tick(new Date(later.getTime() + 60_000))).toMatchObject({ posted: 1 });
    expect(s.fake.moments).toHaveLength(1);
    expect((await s.deliveries()).every((r) => r.status === "sent" && r.provider_id === s.fake.moments[0]!.jobid)).toBe(true);
  });

  it("a content that cannot be a Moments post fails the post and its deliveries with content_invalid, once", async () => {
    const s = await setup(dailyMoment);
    await t.db.sql.execute(`UPDATE contents SET body = '{"moment":{}}' WHERE workspace_id = $1 AND ref = 'm-car'`, [s.workspaceId]);
    await s.addFriend("amy");
    expect(await s.tick(eveningOf(1))).toMatchObject({ posted: 0, failed: 1 });
    expect(await s.deliveries()).toEqual([expect.objectContaining({ status: "failed", provider_error: "content_invalid" })]);
    expect((await s.posts())[0]).toMatchObject({ status: "failed" });
    expect(s.fake.callsTo("/cgi-bin/externalcontact/add_moment_task")).toHaveLength(0);
  });
});

describe("WeCom enterprise tag calls", () => {
  it("validate before any HTTP and map WeCom's refusals", async () => {
    const s = createEnv(server, T0);
    const api = s.clients.wecom!;
    await expect(api.addCorpTag({ group_name: "sopline Moments", tag: [{ name: "x".repeat(31) }] })).rejects.toThrow("tag[0].name: must be at most 30 characters, got 31");
    await expect(api.markTag({ userid: "amy", external_userid: "wm1" })).rejects.toThrow("add_tag: add_tag or remove_tag must list a tag");
    expect(s.fake.calls.filter((c) => c.path !== "/cgi-bin/gettoken")).toHaveLength(0);
    const { tag_group } = await api.addCorpTag({ group_name: "sopline Moments", tag: [{ name: "1124 m-car" }] });
    const tagId = tag_group.tag[0]!.id;
    await expect(api.markTag({ userid: "amy", external_userid: "wm1", add_tag: [tagId] })).rejects.toMatchObject({ code: 84061, permanent: true });
    s.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wm1", withWelcomeCode: false });
    await api.markTag({ userid: "amy", external_userid: "wm1", add_tag: [tagId] });
    expect(s.fake.tagsOf(CORP.corpId, "amy", "wm1")).toEqual([tagId]);
    await api.delCorpTag({ tag_id: [tagId] });
    expect(s.fake.tagsOf(CORP.corpId, "amy", "wm1")).toEqual([]);
    await expect(api.delCorpTag({ tag_id: [tagId] })).rejects.toMatchObject({ code: 40068 });
  });
});

describe("Moments settings: bad input is a clear validation error", () => {
  it("a step period of 0 is refused with its path by the core", () => {
    const bad = { ...dailyMoment, stages: [{ id: "new", sop: [{ ...dailyMoment.stages[0]!.sop![0]!, moments: { period: 0 } }] }] };
    expect(validateJourney(bad)).toEqual([{ path: "stages[0].sop[0].moments.period", message: "0 ms is below the minimum of 1 day" }]);
    const wrongChannel = { ...dailyMoment, stages: [{ id: "new", sop: [{ id: "chat", after: "1h", channel: "private_chat" as const, content: "x", moments: { period: "7d" } }] }] };
    expect(validateJourney(wrongChannel)).toEqual([{ path: "stages[0].sop[0].moments", message: '"moments" settings go with channel "moments", not "private_chat"' }]);
  });

  it("gateway options and workspace settings name the bad field", () => {
    expect(() => resolveMomentsPolicy({ period: "0d" }, undefined, "wecom.moments")).toThrow('wecom.moments.period: "0d" is below the minimum of 1 day');
    expect(() => resolveMomentsPolicy({ postsPerStaffPerDay: 0 }, undefined, "settings.moments")).toThrow("settings.moments.postsPerStaffPerDay: expected a whole number from 1 to 100, got 0");
    expect(() => resolveMomentsPolicy({ perod: "7d" })).toThrow("moments.perod: unknown setting");
    expect(() =>
      createChannels(
        { db: {} as never, registry: {} as never, pubsub: {} as never, clock: () => T0, workspaceId: "w" },
        { wecom: { ...CORP, moments: { period: 0 } } },
      ),
    ).toThrow("wecom.moments.period: 0 ms is below the minimum of 1 day");
  });
});

const UPDATE_MOMENTS = `mutation($m: MomentsSettingsInput) { updateWorkspaceSettings(moments: $m) { moments { period postsPerStaffPerDay } } }`;

describe.each(["pglite", "postgres"] as const)("Moments settings through GraphQL on %s", (kind) => {
  it("a journey with a Moments period of 0 and a workspace period of 0 answer BAD_USER_INPUT with the path; nothing is stored", async () => {
    const h = await createHarness(kind);
    try {
      const ws = await h.workspace();
      const bad = { ...dailyMoment, stages: [{ id: "new", sop: [{ ...dailyMoment.stages[0]!.sop![0]!, moments: { period: "0d" } }] }] };
      const r = await ws.api(UPSERT_JOURNEY, { d: bad });
      expect(errorCodes(r)).toEqual(["BAD_USER_INPUT"]);
      expect(r.errors![0]!.extensions!.issues).toEqual([{ path: "stages[0].sop[0].moments.period", message: '"0d" is below the minimum of 1 day' }]);
      expect(await h.test.db.sql.query(`SELECT 1 FROM journeys WHERE workspace_id = $1`, [ws.id])).toHaveLength(0);

      const set = await ws.api(UPDATE_MOMENTS, { m: { postsPerStaffPerDay: 2 } });
      expect(set.data.updateWorkspaceSettings.moments).toEqual({ period: null, postsPerStaffPerDay: 2 });
      const zero = await ws.api(UPDATE_MOMENTS, { m: { period: "0d" } });
      expect(errorCodes(zero)).toEqual(["BAD_USER_INPUT"]);
      expect(zero.errors![0]!.message).toBe('moments.period: "0d" is below the minimum of 1 day');
      expect(zero.errors![0]!.extensions!.issues).toEqual([{ path: "moments.period", message: '"0d" is below the minimum of 1 day' }]);
      const [stored] = await h.test.db.sql.query<{ moments: unknown }>(`SELECT settings->'moments' AS moments FROM workspaces WHERE id = $1`, [ws.id]);
      expect(stored!.moments).toEqual({ postsPerStaffPerDay: 2 });
      const both = await ws.api(UPDATE_MOMENTS, { m: { period: "2w" } });
      expect(both.data.updateWorkspaceSettings.moments).toEqual({ period: "2w", postsPerStaffPerDay: 2 });
    } finally {
      await h.close();
    }
  });
});
