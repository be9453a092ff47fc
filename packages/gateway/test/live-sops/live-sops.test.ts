// Managing live SOPs through the gateway: migration of customers in flight, pause / resume,
// removal, bulk operations, do-not-disturb and the audit log, on both databases.
import type { JourneyDefinition } from "@sopline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChannelAdapter, type DeliveryRequest, createAdapterRegistry, createDeliveryWorker } from "../../src/delivery/index.js";
import { optOutKeyword } from "../../src/live-sops/dnd.js";
import { DAY, ENROLL, HOUR, type Harness, KINDS, START, type Tenant, UPSERT_JOURNEY, createHarness, errorCodes, ok, salesJourney } from "../graphql/helpers.js";

const at = (ms: number) => new Date(START.getTime() + ms);

// v2 of the sales journey: a step whose time has passed for the customers already in "new"
// (day 1 08:00), a task still ahead (day 3), and a step for "interested".
const salesV2: JourneyDefinition = {
  ...salesJourney,
  stages: salesJourney.stages.map((s) =>
    s.id === "new"
      ? { ...s, sop: [...s.sop!, { id: "intro", day: 1, at: "08:00", channel: "private_chat", content: "intro" }, { id: "webinar", day: 3, at: "10:00", channel: "call", content: "webinar-call", mode: "task" }] }
      : { ...s, sop: [...s.sop!, { id: "followup", after: "1d", channel: "sms", content: "followup" }] },
  ),
};

// Steps an hour apart; "b" expires an hour after its due time, "d" is a task.
const paced: JourneyDefinition = {
  id: "paced",
  version: 1,
  timezone: "Asia/Shanghai",
  entry: "s",
  stages: [
    {
      id: "s",
      sop: [
        { id: "a", after: "1h", channel: "official_account", content: "a" },
        { id: "b", after: "2h", channel: "sms", content: "b", expireAfter: "1h" },
        { id: "c", after: "3h", channel: "private_chat", content: "c", expireAfter: "2d" },
        { id: "d", after: "4h", channel: "call", content: "d", mode: "task" },
      ],
    },
    { id: "done", sop: [] },
  ],
  transitions: [{ from: "s", to: "done", on: "order.paid" }],
};

describe.each(KINDS)("managing live SOPs on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(() => h?.close());

  const run = (ms: number) => {
    h.clock.now = at(ms);
    return h.gateway.scheduler.runOnce(h.clock.now);
  };
  const deliveries = (ws: Tenant, where = "TRUE", params: unknown[] = []) =>
    h.test.db.sql.query<{ customer_id: string; step_id: string; status: string; reason: string | null; mode: string }>(
      `SELECT customer_id, step_id, status, reason, mode FROM deliveries WHERE workspace_id = $1 AND ${where} ORDER BY step_id, customer_id`,
      [ws.id, ...params],
    );
  const tasks = (ws: Tenant) => h.test.db.sql.query<{ customer_id: string; title: string; status: string }>(`SELECT customer_id, title, status FROM tasks WHERE workspace_id = $1 ORDER BY title, customer_id`, [ws.id]);
  const enroll = async (ws: Tenant, c: string, j: string, staffId?: string) => ok(await ws.api(ENROLL, { c, j, s: staffId ?? null })).enroll.customerId as string;
  const audit = async (ws: Tenant, filter: Record<string, unknown> = {}) =>
    ok(await ws.api(`query($f: AuditFilterInput) { auditLog(filter: $f) { id actorKind actorId action target before after at } }`, { f: filter })).auditLog as Array<Record<string, any>>;

  it("publishing with migrate moves customers in flight at several stages: new steps arrive once, passed ones are skipped as migrated", async () => {
    h.clock.now = START;
    const ws = await h.workspace();
    const rep = await ws.staff("rep-m");
    ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
    const [c0, c1, c2] = [await enroll(ws, "m0", "sales", rep.id), await enroll(ws, "m1", "sales", rep.id), await enroll(ws, "m2", "sales", rep.id)];
    ok(await ws.api(`mutation($c: ID!) { moveCustomer(customerId: $c, journeyKey: "sales", to: "interested") { stage } }`, { c: c2 }));
    await run(0);
    await run(DAY + 12 * HOUR); // day 1 21:00 in Shanghai
    h.clock.now = at(2 * DAY);
    const c3 = await enroll(ws, "m3", "sales", rep.id); // a newcomer on day 2: intro (its day 1 08:00) is still ahead
    await run(2 * DAY + 30 * 60_000);

    const dry = ok(await ws.api(`query($d: JSON!) { journeyPublishImpact(definition: $d) { version changed migration { customers byStage { stage customers } newSteps { stage stepId customers } skippedAsMigrated { stepId customers } } } }`, { d: salesV2 }));
    const impact = {
      customers: 4,
      byStage: [{ stage: "new", customers: 3 }, { stage: "interested", customers: 1 }],
      // followup's "+1d" passed while c2 sat idle in "interested" (no wake since day 0): skipped, not sent late
      newSteps: [{ stage: "new", stepId: "intro", customers: 1 }, { stage: "new", stepId: "webinar", customers: 3 }],
      skippedAsMigrated: [{ stepId: "followup", customers: 1 }, { stepId: "intro", customers: 2 }],
    };
    expect(dry.journeyPublishImpact).toEqual({ version: 2, changed: true, migration: impact });
    expect(await deliveries(ws, "step_id IN ('intro', 'webinar', 'followup')")).toEqual([]);

    const published = ok(await ws.api(`mutation($d: JSON!) { upsertJourney(definition: $d, migrate: true) { created journey { version } migration { customers byStage { stage customers } newSteps { stage stepId customers } skippedAsMigrated { stepId customers } } } }`, { d: salesV2 }));
    expect(published.upsertJourney).toEqual({ created: true, journey: { version: 2 }, migration: impact });
    const versions = await h.test.db.sql.query<{ v: number }>(`SELECT DISTINCT journey_version AS v FROM enrollments WHERE workspace_id = $1`, [ws.id]);
    expect(versions).toEqual([{ v: 2 }]);

    for (const ms of [3 * DAY, 3 * DAY, 4 * DAY, 6 * DAY, 6 * DAY, 9 * DAY]) await run(ms);
    const rows = await deliveries(ws, "step_id IN ('intro', 'webinar', 'followup')");
    expect(rows.map((r) => [r.step_id, r.customer_id, r.status, r.reason])).toEqual(
      [
        ["followup", c2, "skipped", "migrated"], // moved to "interested" on day 0: its "+1d" had passed
        ...[c0, c1].map((c) => ["intro", c, "skipped", "migrated"]),
        ["intro", c3, "due", null],
        ...[c0, c1, c3].map((c) => ["webinar", c, "task", null]),
      ].sort((x, y) => (x[0]! + x[1]! < y[0]! + y[1]! ? -1 : 1)),
    );
    expect((await tasks(ws)).filter((t) => t.title.startsWith("webinar")).map((t) => t.customer_id)).toEqual([c0, c1, c3].sort());
    // Nothing sent twice, old steps included.
    const dupes = await h.test.db.sql.query(`SELECT customer_id, step_id, count(*) FROM deliveries WHERE workspace_id = $1 GROUP BY 1, 2 HAVING count(*) > 1`, [ws.id]);
    expect(dupes).toEqual([]);
    // Publishing the same version again moves nobody and writes nothing.
    const again = ok(await ws.api(`mutation($d: JSON!) { upsertJourney(definition: $d, migrate: true) { created migration { customers } } }`, { d: salesV2 }));
    expect(again.upsertJourney).toEqual({ created: false, migration: { customers: 0 } });
    const log = await audit(ws, { action: "journey.publish" });
    expect(log.map((e) => [e.actorKind, e.target, e.before, e.after.version, e.after.created, e.after.migration?.customers])).toEqual([
      ["apiKey", "journey:sales", { version: 1 }, 2, true, 4],
      ["apiKey", "journey:sales", { version: null }, 1, true, undefined],
    ]);
  });

  it("a paused journey holds what falls due; resuming skips expired steps with a reason and fires the others once", async () => {
    h.clock.now = START;
    const ws = await h.workspace();
    const staff = await ws.staff("rep-p");
    ok(await ws.api(UPSERT_JOURNEY, { d: paced }));
    const customers = [await enroll(ws, "p0", "paced", staff.id), await enroll(ws, "p1", "paced", staff.id)];

    const paused = ok(await ws.api(`mutation { pauseJourney(journeyKey: "paced") { journeyKey stepId paused changed steps } }`));
    expect(paused.pauseJourney).toEqual({ journeyKey: "paced", stepId: null, paused: true, changed: true, steps: 0 });
    expect(ok(await ws.api(`mutation { pauseJourney(journeyKey: "paced") { changed } }`)).pauseJourney.changed).toBe(false);
    for (const hours of [1, 2, 3, 4, 4]) await run(hours * HOUR + 60_000);
    const held = await deliveries(ws);
    expect(held).toHaveLength(8);
    expect(held.every((d) => d.status === "held" && d.reason === "paused")).toBe(true);
    expect(held.filter((d) => d.step_id === "d").every((d) => d.mode === "task")).toBe(true);
    expect(await tasks(ws)).toEqual([]);
    // A delivery worker finds nothing to send while the journey is paused.
    const sent: DeliveryRequest[] = [];
    const adapter: ChannelAdapter = { channel: "official_account", deliver: async (d) => (sent.push(d), { status: "sent" }) };
    const worker = createDeliveryWorker({ db: h.test.db, adapters: createAdapterRegistry([adapter]), clock: () => h.clock.now, workspaceIds: [ws.id] });
    expect((await worker.runOnce(at(4 * HOUR + 90_000))).claimed).toBe(0);
    expect(ok(await ws.api(`{ journeyPauses { journeyKey stepId pausedBy } }`)).journeyPauses).toEqual([{ journeyKey: "paced", stepId: null, pausedBy: "apiKey" }]);

    // Unknown journey or step: a clear error, nothing changes.
    const unknownJourney = await ws.api(`mutation { pauseJourney(journeyKey: "nope") { changed } }`);
    expect(errorCodes(unknownJourney)).toEqual(["NOT_FOUND"]);
    expect(unknownJourney.errors![0]!.message).toBe('journey "nope" not found');
    const unknownStep = await ws.api(`mutation { resumeJourney(journeyKey: "paced", stepId: "zz") { changed } }`);
    expect(errorCodes(unknownStep)).toEqual(["NOT_FOUND"]);
    expect(unknownStep.errors![0]!.message).toBe('stepId: journey "paced" (version 1) has no step "zz"; its steps: a, b, c, d');
    expect(await h.test.db.sql.query(`SELECT journey_key, step_id FROM journey_pauses WHERE workspace_id = $1`, [ws.id])).toEqual([{ journey_key: "paced", step_id: "" }]);
    expect((await deliveries(ws)).every((d) => d.status === "held")).toBe(true);

    // Resumed at +5h: b (due +2h, expires an hour later) is skipped; a, c go out; d becomes a task.
    h.clock.now = at(5 * HOUR);
    const resumed = ok(await ws.api(`mutation { resumeJourney(journeyKey: "paced") { paused changed steps expired leftStage } }`));
    expect(resumed.resumeJourney).toEqual({ paused: false, changed: true, steps: 6, expired: 2, leftStage: 0 });
    const after = await deliveries(ws);
    expect(after.map((d) => [d.step_id, d.status, d.reason])).toEqual([
      ["a", "due", null], ["a", "due", null],
      ["b", "skipped", "expired"], ["b", "skipped", "expired"],
      ["c", "due", null], ["c", "due", null],
      ["d", "task", null], ["d", "task", null],
    ]);
    expect((await tasks(ws)).map((t) => [t.customer_id, t.status])).toEqual(customers.map((c) => [c, "open"]).sort());
    // Released: the held official-account step goes out once per customer.
    await worker.runOnce(at(5 * HOUR));
    await worker.runOnce(at(5 * HOUR + 60_000));
    expect(sent.map((d) => [d.stepId, d.customer.id]).sort()).toEqual(customers.map((c) => ["a", c]).sort());
    // Resuming again releases nothing more.
    expect(ok(await ws.api(`mutation { resumeJourney(journeyKey: "paced") { changed steps } }`)).resumeJourney).toEqual({ changed: false, steps: 0 });
    await run(DAY);
    expect(await tasks(ws)).toHaveLength(2);
    expect((await audit(ws, { target: "journey:paced" })).map((e) => [e.action, e.before, e.after])).toEqual([
      ["journey.resume", { paused: true }, { paused: false }],
      ["journey.pause", { paused: false }, { paused: true, heldSteps: 0 }],
      ["journey.publish", { version: null }, { version: 1, created: true, migrate: false }],
    ]);
  });

  it("pausing one step holds it (including already due ones) while the rest runs; a step left behind is skipped as left-stage", async () => {
    h.clock.now = START;
    const ws = await h.workspace();
    ok(await ws.api(UPSERT_JOURNEY, { d: paced }));
    const c0 = await enroll(ws, "q0", "paced");
    await run(HOUR + 60_000); // a is due for c0 (no adapter: it waits for a delivery worker)
    const pause = ok(await ws.api(`mutation { pauseJourney(journeyKey: "paced", stepId: "a") { stepId changed steps } }`));
    expect(pause.pauseJourney).toEqual({ stepId: "a", changed: true, steps: 1 });
    h.clock.now = at(HOUR + 120_000);
    const c1 = await enroll(ws, "q1", "paced");
    await run(2 * HOUR + 180_000);
    expect((await deliveries(ws)).map((d) => [d.step_id, d.customer_id, d.status])).toEqual(
      [["a", c0, "held"], ["a", c1, "held"], ["b", c0, "due"]].sort((x, y) => (x.join() < y.join() ? -1 : 1)),
    );
    // c1 leaves the stage while its step is held: released as skipped, not sent into the wrong stage.
    ok(await ws.api(`mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }`, { e: [{ id: "paid-q1", customer: "q1", name: "order.paid", at: at(2 * HOUR + 200_000).toISOString() }] }));
    h.clock.now = at(2 * HOUR + 240_000);
    const resumed = ok(await ws.api(`mutation { resumeJourney(journeyKey: "paced", stepId: "a") { steps expired leftStage } }`));
    expect(resumed.resumeJourney).toEqual({ steps: 1, expired: 0, leftStage: 1 });
    expect((await deliveries(ws, "step_id = 'a'")).map((d) => [d.customer_id, d.status, d.reason])).toEqual([[c0, "due", null], [c1, "skipped", "left-stage"]].sort((x, y) => (x[0]! < y[0]! ? -1 : 1)));
  });

  it("removes a customer from a journey: pending steps and open tasks cancelled, recorded with the reason", async () => {
    h.clock.now = START;
    const ws = await h.workspace();
    const staff = await ws.staff("rep-r");
    const other = await ws.staff("rep-o");
    ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
    const c = await enroll(ws, "r0", "sales", staff.id);
    await run(0);
    expect(await tasks(ws)).toEqual([{ customer_id: c, title: "Say hello", status: "open" }]);

    const REMOVE = `mutation($c: ID!, $r: String) { removeFromJourney(customerId: $c, journeyKey: "sales", reason: $r) { enrollments cancelledSteps cancelledTasks } }`;
    expect(errorCodes(await other.gql(REMOVE, { c }))).toEqual(["NOT_FOUND"]);
    const removed = ok(await staff.gql(REMOVE, { c, r: "asked to stop" }));
    expect(removed.removeFromJourney).toEqual({ enrollments: 1, cancelledSteps: 1, cancelledTasks: 1 });
    expect(await tasks(ws)).toEqual([{ customer_id: c, title: "Say hello", status: "skipped" }]);
    expect((await deliveries(ws)).map((d) => [d.step_id, d.status, d.reason])).toEqual([["hello", "skipped", "removed"]]);
    await run(10 * DAY);
    expect(await deliveries(ws)).toHaveLength(1);
    const again = await ws.api(REMOVE, { c });
    expect(errorCodes(again)).toEqual(["NOT_FOUND"]);
    expect(again.errors![0]!.message).toBe(`customer "${c}" is not in journey "sales"`);
    const [entry] = await audit(ws, { action: "enrollment.remove" });
    expect(entry).toMatchObject({ actorKind: "staff", actorId: staff.id, target: `customer:${c}/journey:sales`, after: { ended: 1, cancelledSteps: 1, cancelledTasks: 1, reason: "asked to stop" } });
    expect(entry!.before.enrollments).toEqual([expect.objectContaining({ stage: "new", staffId: staff.id, version: 1 })]);
  });

  it("bulk moves and removes by stage, tag and staff member after a count preview, in batches", async () => {
    h.clock.now = START;
    const ws = await h.workspace();
    const a = await ws.staff("rep-a");
    const b = await ws.staff("rep-b");
    ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
    const ofA = [await enroll(ws, "ba0", "sales", a.id), await enroll(ws, "ba1", "sales", a.id), await enroll(ws, "ba2", "sales", a.id)];
    const ofB = [await enroll(ws, "bb0", "sales", b.id), await enroll(ws, "bb1", "sales", b.id), await enroll(ws, "bb2", "sales", b.id)];
    await h.test.db.sql.execute(`INSERT INTO customer_tags (customer_id, tag) VALUES ($1, 'vip'), ($2, 'vip')`, [ofA[0], ofB[0]]);
    const BULK = `mutation($f: BulkFilterInput!, $a: BulkAction!, $s: String, $d: Boolean, $n: Int, $b: Int) {
      bulkManageEnrollments(filter: $f, action: $a, toStage: $s, dryRun: $d, expectedCount: $n, batchSize: $b) { action dryRun matched byStage { stage customers } changed batches cancelledSteps } }`;
    const stages = async () => (await h.test.db.sql.query<{ customer_id: string; stage: string; ended: boolean }>(`SELECT customer_id, stage, ended_at IS NOT NULL AS ended FROM enrollments WHERE workspace_id = $1 ORDER BY customer_id`, [ws.id]));
    const before = await stages();

    const preview = ok(await ws.api(BULK, { f: { journeyKey: "sales", stage: "new", staffId: a.id }, a: "MOVE", s: "interested" }));
    expect(preview.bulkManageEnrollments).toEqual({ action: "move", dryRun: true, matched: 3, byStage: [{ stage: "new", customers: 3 }], changed: 0, batches: 0, cancelledSteps: 0 });
    expect(await stages()).toEqual(before);
    // Bad input: nothing changes.
    const stale = await ws.api(BULK, { f: { journeyKey: "sales", stage: "new", staffId: a.id }, a: "MOVE", s: "interested", d: false, n: 4 });
    expect(errorCodes(stale)).toEqual(["BAD_USER_INPUT"]);
    expect(stale.errors![0]!.message).toBe("expectedCount: the filter now matches 3 customers, not 4: preview again (nothing was changed)");
    const badStage = await ws.api(BULK, { f: { journeyKey: "sales" }, a: "MOVE", s: "gone", d: false });
    expect(badStage.errors![0]!.message).toBe('toStage: journey "sales" has no stage "gone"; its stages: new, interested');
    expect(errorCodes(await ws.api(BULK, { f: { journeyKey: "nope" }, a: "REMOVE", d: false }))).toEqual(["NOT_FOUND"]);
    expect(errorCodes(await ws.api(BULK, { f: { journeyKey: "sales", staffId: "nobody" }, a: "REMOVE", d: false }))).toEqual(["NOT_FOUND"]);
    expect(await stages()).toEqual(before);

    const moved = ok(await ws.api(BULK, { f: { journeyKey: "sales", stage: "new", staffId: a.id }, a: "MOVE", s: "interested", d: false, n: 3, b: 2 }));
    expect(moved.bulkManageEnrollments).toMatchObject({ dryRun: false, matched: 3, changed: 3, batches: 2 });
    const tags = await h.test.db.sql.query<{ customer_id: string }>(`SELECT customer_id FROM customer_tags t JOIN customers c ON c.id = t.customer_id WHERE c.workspace_id = $1 AND tag = 'mql' ORDER BY customer_id`, [ws.id]);
    expect(tags.map((t) => t.customer_id)).toEqual([...ofA].sort());
    // Already there: a second move finds nobody (no re-entry).
    expect(ok(await ws.api(BULK, { f: { journeyKey: "sales", staffId: a.id }, a: "MOVE", s: "interested" })).bulkManageEnrollments.matched).toBe(0);

    const removed = ok(await ws.api(BULK, { f: { journeyKey: "sales", tag: "vip" }, a: "REMOVE", d: false }));
    expect(removed.bulkManageEnrollments).toMatchObject({ matched: 2, changed: 2, byStage: [{ stage: "interested", customers: 1 }, { stage: "new", customers: 1 }] });
    const now = await stages();
    expect(now.filter((e) => e.ended).map((e) => e.customer_id).sort()).toEqual([ofA[0], ofB[0]].sort());
    expect(now.filter((e) => e.stage === "interested").map((e) => e.customer_id).sort()).toEqual([...ofA].sort());
    expect((await audit(ws, { action: "bulk." })).map((e) => [e.action, e.before.matched, e.after.changed])).toEqual([
      ["bulk.remove", 2, 2],
      ["bulk.move", 3, 3],
    ]);
  });

  it("do-not-disturb skips a channel's steps with reason opted-out across journeys, set by API or by a keyword message", async () => {
    h.clock.now = START;
    const ws = await h.workspace();
    ok(await ws.api(UPSERT_JOURNEY, { d: paced }));
    ok(await ws.api(UPSERT_JOURNEY, { d: { ...paced, id: "paced2" } }));
    const c = await enroll(ws, "d0", "paced");
    await enroll(ws, "d0", "paced2");
    await run(HOUR + 60_000); // "a" (official account) due in both journeys
    const DND = `mutation($c: ID!, $ch: Channel, $on: Boolean!) { setDoNotDisturb(customerId: $c, channel: $ch, on: $on, reason: "complained") { channel on changed skippedSteps } }`;
    const set = ok(await ws.api(DND, { c, ch: "OFFICIAL_ACCOUNT", on: true }));
    expect(set.setDoNotDisturb).toEqual({ channel: "official_account", on: true, changed: true, skippedSteps: 2 });
    ok(await ws.api(UPSERT_JOURNEY, { d: { ...paced, id: "paced3" } }));
    h.clock.now = at(HOUR + 90_000);
    await enroll(ws, "d0", "paced3");
    await run(5 * HOUR);
    const rows = await deliveries(ws);
    expect(rows.filter((r) => r.step_id === "a").map((r) => [r.status, r.reason])).toEqual([["skipped", "opted-out"], ["skipped", "opted-out"], ["skipped", "opted-out"]]);
    expect(rows.filter((r) => r.step_id === "c").map((r) => r.status)).toEqual(["due", "due", "due"]);
    expect(ok(await ws.api(`query($c: ID!) { doNotDisturb(customerId: $c) { channel source reason } }`, { c })).doNotDisturb).toEqual([{ channel: "official_account", source: "api", reason: "complained" }]);

    // A customer writes "TD": every channel, from now on, in every journey.
    h.clock.now = START;
    const k = await enroll(ws, "k0", "paced");
    const MSG = `mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }`;
    ok(await ws.api(MSG, { e: [{ id: "k0-hi", customer: "k0", name: "message.replied", at: at(60_000).toISOString(), data: { text: "STD?" } }] }));
    ok(await ws.api(MSG, { e: [{ id: "k0-td", customer: "k0", name: "message.replied", at: at(120_000).toISOString(), data: { text: " td! " } }] }));
    for (const hours of [1, 2, 3, 4]) await run(hours * HOUR + 60_000);
    expect((await deliveries(ws, "customer_id = $2", [k])).map((r) => [r.step_id, r.status, r.reason])).toEqual(["a", "b", "c", "d"].map((s) => [s, "skipped", "opted-out"]));
    expect(await tasks(ws)).toEqual([]);
    expect((await audit(ws, { target: `customer:${c}` })).map((e) => e.action)).toEqual(["dnd.set"]);
    expect(await audit(ws, { action: "dnd.set", actorKind: "customer" })).toEqual([
      expect.objectContaining({ actorId: k, target: `customer:${k}`, after: { channel: "*", doNotDisturb: true, source: "keyword", reason: "TD", skippedSteps: 0 } }),
    ]);
    // Off again: later steps go out.
    const off = ok(await ws.api(DND, { c: k, on: false }));
    expect(off.setDoNotDisturb).toMatchObject({ on: false, changed: true });

    // Workspace keywords replace the defaults; the change is audited.
    const settings = ok(await ws.api(`mutation { updateWorkspaceSettings(optOutKeywords: ["stop", "不要再发"]) { optOutKeywords } }`));
    expect(settings.updateWorkspaceSettings.optOutKeywords).toEqual(["stop", "不要再发"]);
    expect(errorCodes(await ws.api(`mutation { updateWorkspaceSettings(optOutKeywords: ["ok", " "]) { optOutKeywords } }`))).toEqual(["BAD_USER_INPUT"]);
    const [change] = await audit(ws, { action: "settings.update" });
    expect(change).toMatchObject({ before: { optOutKeywords: null }, after: { optOutKeywords: ["stop", "不要再发"] } });
    h.clock.now = at(6 * HOUR);
    const m = await enroll(ws, "m0", "paced");
    ok(await ws.api(MSG, { e: [{ id: "m0-td", customer: "m0", name: "message.replied", at: at(6 * HOUR + 1_000).toISOString(), data: { text: "TD" } }] }));
    ok(await ws.api(MSG, { e: [{ id: "m0-no", customer: "m0", name: "message.replied", at: at(6 * HOUR + 2_000).toISOString(), data: { text: "好的，不要再发了", channel: "sms" } }] }));
    expect(ok(await ws.api(`query($c: ID!) { doNotDisturb(customerId: $c) { channel source reason } }`, { c: m })).doNotDisturb).toEqual([{ channel: "sms", source: "keyword", reason: "不要再发" }]);
  });

  it("do-not-disturb stops marketing steps only: a service step (a notice) on the same channel still goes", async () => {
    h.clock.now = START;
    const ws = await h.workspace();
    const notices: JourneyDefinition = {
      id: "notices", version: 1, timezone: "Asia/Shanghai", entry: "s",
      stages: [{ id: "s", sop: [
        { id: "promo", after: "1h", channel: "sms", content: "promo" },
        { id: "receipt", after: "1h", channel: "sms", content: "receipt", kind: "service" },
      ] }],
    };
    ok(await ws.api(UPSERT_JOURNEY, { d: notices }));
    const c = await enroll(ws, "n0", "notices");
    ok(await ws.api(`mutation($c: ID!) { setDoNotDisturb(customerId: $c, channel: SMS, on: true) { on } }`, { c }));
    await run(HOUR + 60_000);
    expect((await deliveries(ws)).map((r) => [r.step_id, r.status, r.reason])).toEqual([["promo", "skipped", "opted-out"], ["receipt", "due", null]]);
  });

  it("turning do-not-disturb on skips the unsent marketing steps only: a service step already due still goes", async () => {
    h.clock.now = START;
    const ws = await h.workspace();
    const notices: JourneyDefinition = {
      id: "notices-due", version: 1, timezone: "Asia/Shanghai", entry: "s",
      stages: [{ id: "s", sop: [
        { id: "promo", after: "1h", channel: "sms", content: "promo" },
        { id: "receipt", after: "1h", channel: "sms", content: "receipt", kind: "service" },
        { id: "call", after: "1h", channel: "call", content: "script", mode: "task", kind: "service" },
        { id: "survey", after: "1h", channel: "call", content: "survey", mode: "task" },
      ] }],
    };
    ok(await ws.api(UPSERT_JOURNEY, { d: notices }));
    const c = await enroll(ws, "n1", "notices-due", (await ws.staff("rep-dnd")).id);
    await run(HOUR + 60_000); // recorded, not sent yet
    expect((await deliveries(ws)).map((r) => r.status)).toEqual(["task", "due", "due", "task"]);
    const on = ok(await ws.api(`mutation($c: ID!) { setDoNotDisturb(customerId: $c, on: true) { skippedSteps } }`, { c }));
    expect(on.setDoNotDisturb.skippedSteps).toBe(2);
    expect((await deliveries(ws)).map((r) => [r.step_id, r.status, r.reason])).toEqual([
      ["call", "task", null],
      ["promo", "skipped", "opted-out"],
      ["receipt", "due", null],
      ["survey", "skipped", "opted-out"],
    ]);
    expect((await tasks(ws)).map((x) => [x.title.split(":")[0], x.status])).toEqual([["call", "open"], ["survey", "skipped"]]);
  });

  it("the audit log is for API keys only and pages by id", async () => {
    const ws = await h.workspace();
    const staff = await ws.staff("rep-l");
    expect(errorCodes(await staff.gql(`{ auditLog { id } }`))).toEqual(["FORBIDDEN"]);
    for (const tz of ["Asia/Tokyo", "Asia/Shanghai", "Europe/Paris"]) ok(await ws.api(`mutation($t: String) { updateWorkspaceSettings(timezone: $t) { timezone } }`, { t: tz }));
    const first = ok(await ws.api(`{ auditLog(first: 2) { id after } }`)).auditLog;
    expect(first.map((e: any) => e.after)).toEqual([{ timezone: "Europe/Paris" }, { timezone: "Asia/Shanghai" }]);
    const next = ok(await ws.api(`query($b: ID) { auditLog(first: 2, before: $b) { after } }`, { b: first[1].id })).auditLog;
    expect(next).toEqual([{ after: { timezone: "Asia/Tokyo" } }]);
    expect(errorCodes(await ws.api(`{ auditLog(before: "x1") { id } }`))).toEqual(["BAD_USER_INPUT"]);
    const other = await h.workspace();
    expect(ok(await other.api(`{ auditLog { id } }`)).auditLog).toEqual([]);
  });
});

describe("opt-out keywords", () => {
  it("match a message that is only the keyword, or contains a non-ASCII one", () => {
    const k = ["退订", "别发了", "TD"];
    expect(optOutKeyword("TD", k)).toBe("TD");
    expect(optOutKeyword(" td。", k)).toBe("TD");
    expect(optOutKeyword("别发了谢谢", k)).toBe("别发了");
    expect(optOutKeyword("回复退订", k)).toBe("退订");
    expect(optOutKeyword("STD", k)).toBeNull();
    expect(optOutKeyword("TD please", k)).toBeNull();
    expect(optOutKeyword("!!!", k)).toBeNull();
  });
});
