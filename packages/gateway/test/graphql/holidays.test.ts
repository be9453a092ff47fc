import type { JourneyDefinition } from "@sopline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENROLL, type Harness, KINDS, START, type Tenant, UPSERT_JOURNEY, createHarness, errorCodes, ok } from "./helpers.js";

// Holiday steps and dated campaigns end to end: publish against the workspace calendar, enroll,
// and the scheduler (clock injected) fires them on the right local date.

const CALENDAR = `query($from: String, $to: String) { holidayCalendar { base revision holidays(from: $from, to: $to) { name dates own } workdays(from: $from, to: $to) offdays(from: $from, to: $to) ownWorkdays ownOffdays } }`;
const UPSERT_CALENDAR = `mutation($i: HolidayCalendarInput!) { upsertHolidayCalendar(input: $i) { base revision ownWorkdays ownOffdays holidays(from: "2026-01-01", to: "2027-12-31") { name dates own } } }`;
const ENROLL_SEGMENT = `mutation($j: String!, $m: JSON!, $dry: Boolean) { enrollSegment(journeyKey: $j, match: $m, dryRun: $dry) { matched enrolled alreadyEnrolled } }`;

const greetings: JourneyDefinition = {
  id: "greetings", version: 1, timezone: "Asia/Shanghai", entry: "member",
  stages: [{ id: "member", sop: [
    { id: "ny", holiday: "new-year", at: "09:00", channel: "group_chat", content: "ny-card" },
    { id: "cny", holiday: "spring-festival", at: "10:00", channel: "group_chat", content: "cny-card" },
  ] }],
};

const at = (iso: string) => new Date(iso);

describe.each(KINDS)("holidays and dated campaigns on %s", (kind) => {
  let h: Harness;
  let ws: Tenant;

  const deliveries = async (journey: string) =>
    (await h.test.db.sql.query<{ customer: string; step_id: string; due_at: Date }>(
      `SELECT c.external_id AS customer, d.step_id, d.due_at FROM deliveries d JOIN enrollments e ON e.id = d.enrollment_id JOIN customers c ON c.id = e.customer_id
       WHERE d.workspace_id = $1 AND e.journey_key = $2 ORDER BY d.due_at, c.external_id`,
      [ws.id, journey],
    )).map((r) => `${r.customer}:${r.step_id}@${new Date(r.due_at).toISOString()}`);
  const journeyCount = async () => (await h.test.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM journeys WHERE workspace_id = $1`, [ws.id]))[0]!.n;

  beforeAll(async () => {
    h = await createHarness(kind);
    h.clock.now = START;
    ws = await h.workspace();
  });
  afterAll(() => h?.close());

  it("the default calendar is the Chinese one: lunar festival days and the official 调休 schedule", async () => {
    const { holidayCalendar: cal } = ok(await ws.api(CALENDAR, { from: "2026-01-01", to: "2027-12-31" }));
    expect(cal).toMatchObject({ base: "china", revision: 0, ownWorkdays: [], ownOffdays: [] });
    const byName = Object.fromEntries(cal.holidays.map((x: { name: string; dates: string[] }) => [x.name, x.dates]));
    expect(byName["spring-festival"]).toEqual(["2026-02-17", "2027-02-06"]);
    expect(byName["mid-autumn"]).toEqual(["2026-09-25", "2027-09-15"]);
    expect(byName["national-day"]).toEqual(["2026-10-01", "2027-10-01"]);
    expect(cal.workdays).toContain("2026-02-14"); // a Saturday worked before Spring Festival
    expect(cal.offdays).toContain("2026-02-16");
  });

  it("a holiday step publishes and fires on each customer's local date", async () => {
    ok(await ws.api(UPSERT_JOURNEY, { d: greetings }));
    const sh = ok(await ws.api(ENROLL, { c: "sh", j: "greetings" })).enroll.customerId;
    const upcoming = ok(await ws.api(`query($id: ID!) { customer(id: $id) { journeys { upcomingSteps(days: 60) { stepId dueAt } } } }`, { id: sh }));
    expect(upcoming.customer.journeys[0].upcomingSteps).toEqual([{ stepId: "ny", dueAt: "2027-01-01T01:00:00.000Z" }]);
    ok(await ws.api(ENROLL, { c: "ny", j: "greetings", p: { timezone: "America/New_York" } }));
    // 09:00 on 1 January in Shanghai: only the Shanghai customer
    await h.gateway.scheduler.runOnce(at("2027-01-01T01:00:00Z"));
    expect(await deliveries("greetings")).toEqual(["sh:ny@2027-01-01T01:00:00.000Z"]);
    // 09:00 in New York
    await h.gateway.scheduler.runOnce(at("2027-01-01T14:00:00Z"));
    // Spring Festival 2027 (lunar 1/1) is 6 February, 10:00 local
    await h.gateway.scheduler.runOnce(at("2027-02-06T02:00:00Z"));
    await h.gateway.scheduler.runOnce(at("2027-02-06T15:00:00Z"));
    expect(await deliveries("greetings")).toEqual([
      "sh:ny@2027-01-01T01:00:00.000Z",
      "ny:ny@2027-01-01T14:00:00.000Z",
      "sh:cny@2027-02-06T02:00:00.000Z",
      "ny:cny@2027-02-06T15:00:00.000Z",
    ]);
    h.clock.now = START;
  });

  it("an unknown holiday is refused with the step path and the known names; nothing is stored", async () => {
    const before = await journeyCount();
    const bad = { ...greetings, id: "typo", stages: [{ id: "member", sop: [{ id: "mid", holiday: "mid-autum", channel: "group_chat", content: "card" }] }] };
    const res = await ws.api(UPSERT_JOURNEY, { d: bad });
    expect(errorCodes(res)).toEqual(["BAD_USER_INPUT"]);
    const issues = res.errors![0]!.extensions!.issues;
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe("stages[0].sop[0].holiday");
    expect(issues[0].message).toMatch(/^holiday "mid-autum" is not in the workspace's holiday calendar .*known: .*mid-autumn/);
    expect(await journeyCount()).toBe(before);
  });

  it("upsertHolidayCalendar: own holidays and days, refusals with paths that change nothing, enrollments follow the change", async () => {
    h.clock.now = START;
    const set = ok(await ws.api(UPSERT_CALENDAR, { i: { holidays: [{ name: "store-anniversary", dates: ["2026-12-08", "2027-12-08"] }], workdays: ["2027-02-20"], offdays: ["2027-02-08"] } })).upsertHolidayCalendar;
    expect(set).toMatchObject({ base: "china", revision: 1, ownWorkdays: ["2027-02-20"], ownOffdays: ["2027-02-08"] });
    expect(set.holidays).toContainEqual({ name: "store-anniversary", dates: ["2026-12-08", "2027-12-08"], own: true });

    const bad = await ws.api(UPSERT_CALENDAR, { i: { base: "mars", holidays: [{ name: "x", dates: ["2027-02-30"] }], removeHolidays: ["nope"] } });
    expect(errorCodes(bad)).toEqual(["BAD_USER_INPUT"]);
    expect(bad.errors![0]!.extensions!.issues.map((i: { path: string }) => i.path)).toEqual(["input.base", "input.holidays[0].dates[0]", "input.removeHolidays[0]"]);
    expect(bad.errors![0]!.message).toContain('input.holidays[0].dates[0]: "2027-02-30" is not a date');

    const anniversary: JourneyDefinition = { ...greetings, id: "anniversary", stages: [{ id: "member", sop: [{ id: "party", holiday: "store-anniversary", channel: "group_chat", content: "invite" }] }] };
    ok(await ws.api(UPSERT_JOURNEY, { d: anniversary }));
    ok(await ws.api(ENROLL, { c: "fan", j: "anniversary" }));

    // removing a holiday a published journey uses names the journey and the step
    const removing = await ws.api(UPSERT_CALENDAR, { i: { removeHolidays: ["store-anniversary"] } });
    expect(errorCodes(removing)).toEqual(["BAD_USER_INPUT"]);
    expect(removing.errors![0]!.extensions!.issues[0].path).toBe('journeys["anniversary"@1].stages[0].sop[0].holiday');
    expect(ok(await ws.api(CALENDAR)).holidayCalendar.revision).toBe(1);
    const audit = ok(await ws.api(`{ auditLog(filter: { action: "holidays." }) { action target actorKind before after } }`)).auditLog;
    expect(audit).toHaveLength(1); // refused changes are not recorded
    expect(audit[0]).toMatchObject({ action: "holidays.update", target: "holiday-calendar", actorKind: "apiKey", before: { holidays: {} }, after: { workdays: ["2027-02-20"], offdays: ["2027-02-08"] } });

    // a date added before the enrollment's next wake-up (8 December) still fires
    ok(await ws.api(UPSERT_CALENDAR, { i: { holidays: [{ name: "store-anniversary", dates: ["2026-11-30", "2026-12-08"] }] } }));
    await h.gateway.scheduler.runOnce(at("2026-11-30T01:00:00Z"));
    await h.gateway.scheduler.runOnce(at("2026-12-08T01:00:00Z"));
    expect(await deliveries("anniversary")).toEqual(["fan:party@2026-11-30T01:00:00.000Z", "fan:party@2026-12-08T01:00:00.000Z"]);
  });

  it("a dated campaign reaches a segment, fires at one instant for all, under the journey's cap", async () => {
    h.clock.now = START;
    const campaign: JourneyDefinition = {
      id: "double-12", version: 1, timezone: "Asia/Shanghai", entry: "campaign",
      frequencyCap: { max: 1, per: "1d" },
      stages: [{ id: "campaign", sop: [
        { id: "webinar", date: "2026-11-25", at: "20:00", channel: "group_chat", content: "webinar-link" },
        { id: "replay", date: "2026-11-25", at: "22:00", channel: "group_chat", content: "webinar-replay" },
        { id: "sale", date: "2026-12-12", at: "10:00", channel: "group_chat", content: "d12-open" },
      ] }],
    };
    ok(await ws.api(UPSERT_JOURNEY, { d: campaign }));
    for (const [c, tier, tz] of [["vip1", "vip", "Asia/Shanghai"], ["vip2", "vip", "Europe/London"], ["std", "standard", "Asia/Shanghai"]] as const) {
      ok(await ws.api(ENROLL, { c, j: "greetings", p: { attributes: { tier }, timezone: tz } }));
    }
    expect(ok(await ws.api(ENROLL_SEGMENT, { j: "double-12", m: { tier: "vip" }, dry: true })).enrollSegment).toEqual({ matched: 2, enrolled: 0, alreadyEnrolled: 0 });
    expect(ok(await ws.api(ENROLL_SEGMENT, { j: "double-12", m: { tier: "vip" } })).enrollSegment).toEqual({ matched: 2, enrolled: 2, alreadyEnrolled: 0 });
    expect(ok(await ws.api(ENROLL_SEGMENT, { j: "double-12", m: { tier: { in: ["vip"] } } })).enrollSegment).toEqual({ matched: 2, enrolled: 0, alreadyEnrolled: 2 });
    const audit = ok(await ws.api(`{ auditLog(filter: { action: "segment.enroll" }) { target after } }`)).auditLog;
    expect(audit.map((a: { after: { enrolled: number } }) => a.after.enrolled).sort()).toEqual([0, 2]); // the dry run is not recorded

    const badMatch = await ws.api(ENROLL_SEGMENT, { j: "double-12", m: { tier: { like: "v%" } } });
    expect(errorCodes(badMatch)).toEqual(["BAD_USER_INPUT"]);
    expect(badMatch.errors![0]!.message).toMatch(/^match\.tier: expected a value/);
    expect(errorCodes(await ws.api(ENROLL_SEGMENT, { j: "no-such", m: { tier: "vip" } }))).toEqual(["BAD_USER_INPUT"]);

    const invalidDate = await ws.api(UPSERT_JOURNEY, { d: { ...campaign, id: "bad-date", stages: [{ id: "campaign", sop: [{ id: "w", date: "2026-11-31", channel: "group_chat", content: "x" }] }] } });
    expect(invalidDate.errors![0]!.extensions!.issues).toEqual([{ path: "stages[0].sop[0].date", message: '"2026-11-31" is not a date "YYYY-MM-DD"' }]);

    for (const t of ["2026-11-25T12:00:00Z", "2026-11-25T14:00:00Z", "2026-11-26T14:00:00Z", "2026-12-12T02:00:00Z"]) await h.gateway.scheduler.runOnce(at(t));
    expect(await deliveries("double-12")).toEqual([
      "vip1:webinar@2026-11-25T12:00:00.000Z",
      "vip2:webinar@2026-11-25T12:00:00.000Z",
      // one touch a rolling day: the 22:00 replay waits a day
      "vip1:replay@2026-11-26T12:00:00.000Z",
      "vip2:replay@2026-11-26T12:00:00.000Z",
      "vip1:sale@2026-12-12T02:00:00.000Z",
      "vip2:sale@2026-12-12T02:00:00.000Z",
    ]);

    // A customer enrolled after the webinar night: its two steps are recorded skipped (expired), the sale still comes.
    h.clock.now = at("2026-11-30T02:00:00Z");
    const late = ok(await ws.api(ENROLL, { c: "late", j: "double-12" })).enroll.enrollmentId as string;
    await h.gateway.scheduler.runOnce(at("2026-12-12T02:00:00Z"));
    const rows = await h.test.db.sql.query<{ step_id: string; status: string; reason: string | null; due_at: Date }>(
      `SELECT step_id, status, reason, due_at FROM deliveries WHERE enrollment_id = $1 ORDER BY due_at`,
      [late],
    );
    expect(rows.map((r) => [r.step_id, r.status, r.reason, new Date(r.due_at).toISOString()])).toEqual([
      ["webinar", "skipped", "expired", "2026-11-25T12:00:00.000Z"],
      ["replay", "skipped", "expired", "2026-11-25T14:00:00.000Z"],
      ["sale", "due", null, "2026-12-12T02:00:00.000Z"],
    ]);
  });

  it("workday send windows follow the official calendar and the workspace's own days off", async () => {
    // 2026 National Day: 1–7 October off; a step due on 1 October waits for the first working day
    const b2b: JourneyDefinition = {
      id: "b2b-workdays", version: 1, timezone: "Asia/Shanghai", entry: "new",
      stages: [{ id: "new", window: { from: "09:00", to: "18:00", days: ["workdays"] }, sop: [
        { id: "case", day: 1, at: "10:00", channel: "group_chat", content: "case-1" },
      ] }],
    };
    ok(await ws.api(UPSERT_JOURNEY, { d: b2b }));
    h.clock.now = at("2026-09-30T02:00:00Z");
    ok(await ws.api(ENROLL, { c: "lead1", j: "b2b-workdays" }));
    // the workspace also takes Thursday 8 October off: the step moves to Friday 9 October, 09:00
    ok(await ws.api(UPSERT_CALENDAR, { i: { offdays: ["2027-02-08", "2026-10-08"] } }));
    for (const t of ["2026-10-01T02:00:00Z", "2026-10-08T01:00:00Z", "2026-10-09T01:00:00Z"]) await h.gateway.scheduler.runOnce(at(t));
    expect(await deliveries("b2b-workdays")).toEqual(["lead1:case@2026-10-09T01:00:00.000Z"]);
    h.clock.now = START;
  });
});
