import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENROLL, HOUR, type Harness, KINDS, START, type Tenant, UPSERT_JOURNEY, createHarness, errorCodes, ok, salesJourney } from "./helpers.js";

const INGEST = `mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted duplicates rejected { index id code message } } }`;

describe.each(KINDS)("events on %s", (kind) => {
  let h: Harness;
  let ws: Tenant;
  let c0: string;

  beforeAll(async () => {
    h = await createHarness(kind);
    h.clock.now = START;
    ws = await h.workspace();
    ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
    c0 = ok(await ws.api(ENROLL, { c: "c0", j: "sales" })).enroll.customerId;
  });
  afterAll(() => h?.close());

  it("ingestEvents applies a batch: retried ids count once, bad events are rejected one by one, the rest kept", async () => {
    h.clock.now = new Date(START.getTime() + HOUR);
    const at = START.toISOString();
    const r = ok(
      await ws.api(INGEST, {
        e: [
          { id: "e1", customer: "c0", name: "link.clicked", at },
          { id: "e2", customer: "c0", name: "demo.attended", at: new Date(START.getTime() + 30 * 60_000).toISOString(), data: { demo: "webinar" } },
          { id: "e3", customer: "ghost", name: "link.clicked", at },
          { id: "e4", customer: "c0", name: "link.clicked", at: "2030-01-01T00:00:00Z" },
          { id: "e1", customer: "c0", name: "link.clicked", at },
        ],
      }),
    ).ingestEvents;
    expect(r.accepted).toBe(2);
    expect(r.duplicates).toBe(1);
    expect(r.rejected).toEqual([
      { index: 2, id: "e3", code: "UNKNOWN_CUSTOMER", message: expect.stringMatching(/^events\[2\]\.customer/) },
      { index: 3, id: "e4", code: "FUTURE_EVENT", message: expect.stringMatching(/^events\[3\]\.at/) },
    ]);
    const again = ok(await ws.api(INGEST, { e: [{ id: "e2", customer: "c0", name: "demo.attended", at }] })).ingestEvents;
    expect(again).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    // demo.attended moved the customer, once
    const customer = ok(await ws.api(`query($id: ID!) { customer(id: $id) { lastEventAt journeys { stage visit } } }`, { id: c0 })).customer;
    expect(customer.journeys).toEqual([{ stage: "interested", visit: 2 }]);
    expect(customer.lastEventAt).toBe(new Date(START.getTime() + 30 * 60_000).toISOString());
  });

  it("refuses more than 1,000 events per batch with a LIMIT error naming the field", async () => {
    const events = Array.from({ length: 1_001 }, (_, i) => ({ id: `big${i}`, customer: "c0", name: "x", at: START.toISOString() }));
    const r = await ws.api(INGEST, { e: events });
    expect(r.data).toBeNull();
    expect(errorCodes(r)).toEqual(["LIMIT"]);
    expect(r.errors![0]!.message).toMatch(/^events: at most 1000 items/);
    expect(r.errors![0]!.extensions).toMatchObject({ field: "events", limit: 1000 });
    const long = await ws.api(INGEST, { e: [{ id: "x".repeat(2_001), customer: "c0", name: "x", at: START.toISOString() }] });
    expect(errorCodes(long)).toEqual(["LIMIT"]);
    expect(long.errors![0]!.message).toMatch(/^events\[0\]\.id: at most 2000 characters/);
  });

  it("unknown customers are created and routed by segment rules (round-robin in a team) when the workspace says CREATE", async () => {
    const other = await h.workspace();
    ok(await other.api(UPSERT_JOURNEY, { d: salesJourney }));
    const s1 = await other.staff("s1", "team-a");
    const s2 = await other.staff("s2", "team-a");
    ok(await other.api(`mutation { upsertSegmentRule(input: { name: "webinar leads", priority: 1, match: { source: "webinar" }, journeyKey: "sales", team: "team-a" }) { id } }`));
    const rejectFirst = ok(await other.api(INGEST, { e: [{ id: "n0", customer: "new-0", name: "link.clicked", at: START.toISOString() }] })).ingestEvents;
    expect(rejectFirst.rejected[0]).toMatchObject({ code: "UNKNOWN_CUSTOMER" });

    expect(ok(await other.api(`mutation { updateWorkspaceSettings(unknownCustomers: CREATE) { unknownCustomers } }`)).updateWorkspaceSettings).toEqual({ unknownCustomers: "CREATE" });
    const events = [0, 1, 2].map((i) => ({ id: `n${i + 1}`, customer: `lead-${i}`, name: "link.clicked", at: START.toISOString(), profile: { name: `Lead ${i}`, attributes: { source: "webinar" } } }));
    const r = ok(await other.api(INGEST, { e: events })).ingestEvents;
    expect(r).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    const customers = ok(await other.api(`{ customers { edges { node { externalId name staff { id } journeys { journeyKey stage } } } } }`))
      .customers.edges.map((e: { node: { externalId: string } }) => e.node)
      .sort((a: { externalId: string }, b: { externalId: string }) => a.externalId.localeCompare(b.externalId));
    expect(customers).toHaveLength(3);
    expect(customers.map((c: { journeys: unknown[] }) => c.journeys)).toEqual([[{ journeyKey: "sales", stage: "new" }], [{ journeyKey: "sales", stage: "new" }], [{ journeyKey: "sales", stage: "new" }]]);
    expect(customers.map((c: { staff: { id: string } }) => c.staff.id)).toEqual([s1.id, s2.id, s1.id]);
    // A staff token (a staff member's mini-program) sends events for its own customers only, and
    // never creates a customer, whatever the workspace says.
    const later = new Date(START.getTime() + 30 * 60_000).toISOString();
    const staffEvents = [
      { id: "s1-own", customer: "lead-0", name: "link.clicked", at: later },
      { id: "s1-other", customer: "lead-1", name: "link.clicked", at: later },
      { id: "s1-new", customer: "lead-9", name: "link.clicked", at: later, profile: { attributes: { source: "webinar" } } },
    ];
    expect(ok(await s1.gql(INGEST, { e: staffEvents })).ingestEvents).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        { index: 1, id: "s1-other", code: "UNKNOWN_CUSTOMER", message: `events[1].customer: no customer "lead-1" (external id) among this staff member's customers` },
        { index: 2, id: "s1-new", code: "UNKNOWN_CUSTOMER", message: `events[2].customer: no customer "lead-9" (external id) among this staff member's customers` },
      ],
    });
    const lastEvents = ok(await other.api(`{ customers { edges { node { externalId lastEventAt } } } }`))
      .customers.edges.map((e: { node: { externalId: string; lastEventAt: string } }) => [e.node.externalId, e.node.lastEventAt])
      .sort();
    expect(lastEvents).toEqual([["lead-0", later], ["lead-1", START.toISOString()], ["lead-2", START.toISOString()]]);
    // the refused event was not stored: the server can still send it under the same id
    expect(ok(await other.api(INGEST, { e: [staffEvents[1]] })).ingestEvents).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  });

  /** A workspace that creates unknown customers, with a rule into "sales" and one into a journey since deactivated. */
  async function creatingWorkspace() {
    const w = await h.workspace();
    ok(await w.api(UPSERT_JOURNEY, { d: salesJourney }));
    ok(await w.api(UPSERT_JOURNEY, { d: { ...salesJourney, id: "gone" } }));
    ok(await w.api(`mutation { updateWorkspaceSettings(unknownCustomers: CREATE) { unknownCustomers } }`));
    ok(await w.api(`mutation { upsertSegmentRule(input: { name: "vip", match: { tier: "vip" }, journeyKey: "sales" }) { id } }`));
    ok(await w.api(`mutation { upsertSegmentRule(input: { name: "old leads", match: { tier: "old" }, journeyKey: "gone" }) { id } }`));
    await h.test.db.sql.execute(`UPDATE journeys SET active = false WHERE workspace_id = $1 AND key = 'gone'`, [w.id]);
    ok(await w.api(ENROLL, { c: "k0", j: "sales", p: { oaOpenId: "openid-k0" } }));
    const storedIds = async () => (await h.test.db.sql.query<{ event_id: string }>(`SELECT event_id FROM events WHERE workspace_id = $1 ORDER BY event_id`, [w.id])).map((r) => r.event_id);
    const customers = async () => (await h.test.db.sql.query<{ external_id: string }>(`SELECT external_id FROM customers WHERE workspace_id = $1 ORDER BY external_id`, [w.id])).map((r) => r.external_id);
    return { w, storedIds, customers };
  }

  it("one bad event never costs the good ones: each hostile event is rejected alone with its index, code and field, the rest are stored", async () => {
    const { w, storedIds, customers } = await creatingWorkspace();
    const at = new Date(START.getTime() - HOUR).toISOString();
    const ev = (id: string, extra: Record<string, unknown> = {}) => ({ id, customer: "k0", name: "link.clicked", at, ...extra });
    const events = [
      ev("good-1"),
      ev("nul\u0000id"),
      ev("nul-customer", { customer: "k\u00000" }),
      ev("nul-name", { name: "link\u0000clicked" }),
      ev("nul-data-key", { data: { "k\u0000": 1 } }),
      ev("nul-data-value", { data: { notes: ["fine", "x\u0000"] } }),
      ev("bc-5000", { at: "-005000-01-01T00:00:00Z" }),
      ev("before-1970", { at: "1969-12-31T23:59:59Z" }),
      ev("bad-tz", { customer: "new-tz", profile: { timezone: "Mars/Olympus" } }),
      ev("bad-birthday", { customer: "new-bd", profile: { birthday: "13-01" } }),
      ev("gone-journey", { customer: "new-old", profile: { attributes: { tier: "old" } } }),
      ev("good-new", { customer: "new-vip", profile: { timezone: "Asia/Shanghai", birthday: "1990-02-14", attributes: { tier: "vip" } } }),
      ev("lone-surrogate", { data: { emoji: "\ud83d" } }),
      ev("good-2", { name: "demo.attended", data: { demo: "webinar" } }),
    ];
    const r = await w.api(INGEST, { e: events });
    expect(r.status).toBe(200);
    const result = ok(r).ingestEvents;
    expect(result.accepted).toBe(3);
    const rejected = result.rejected.map((x: { index: number; code: string; message: string }) => [x.index, x.code, x.message.split(":")[0]]);
    expect(rejected).toEqual([
      [1, "BAD_EVENT", "events[1].id"],
      [2, "BAD_EVENT", "events[2].customer"],
      [3, "BAD_EVENT", "events[3].name"],
      [4, "BAD_EVENT", 'events[4].data["k\\u0000"]'],
      [5, "BAD_EVENT", "events[5].data.notes[1]"],
      [6, "BAD_EVENT", "events[6].at"],
      [7, "BAD_EVENT", "events[7].at"],
      [8, "BAD_EVENT", "events[8].profile.timezone"],
      [9, "BAD_EVENT", "events[9].profile.birthday"],
      [10, "NO_JOURNEY", "events[10].customer"],
      [12, "BAD_EVENT", "events[12].data.emoji"],
    ]);
    expect(result.rejected[0].message).toMatch(/NUL character/);
    expect(result.rejected[9].message).toMatch(/segment rule "old leads".*journey "gone" does not exist/);
    expect(await storedIds()).toEqual(["good-1", "good-2", "good-new"]);
    // rejected first sights create nobody; the good one is created and routed
    expect(await customers()).toEqual(["k0", "new-vip"]);
    const vip = ok(await w.api(`{ customers { edges { node { externalId timezone journeys { journeyKey } } } } }`)).customers.edges.find((e: { node: { externalId: string } }) => e.node.externalId === "new-vip").node;
    expect(vip).toMatchObject({ timezone: "Asia/Shanghai", journeys: [{ journeyKey: "sales" }] });
  });

  it("the webhook rejects hostile events one by one too: numbers past any date, deep data, wrong types, unknown id kinds", async () => {
    const { w, storedIds } = await creatingWorkspace();
    const at = new Date(START.getTime() - HOUR).toISOString();
    let deep: unknown = "bottom";
    for (let i = 0; i < 35; i++) deep = { d: deep };
    const events = [
      { id: "w-good", customer: "k0", name: "x", at },
      { id: "w-1e20", customer: "k0", name: "x", at: 1e20 },
      { id: "w-minus-1e20", customer: "k0", name: "x", at: -1e20 },
      { id: "w-deep", customer: "k0", name: "x", at, data: deep },
      { id: "w-kind", customer: "k0", customerIdKind: "FACEBOOK", name: "x", at },
      { id: "w-customer", customer: 42, name: "x", at },
      { id: "w-profile", customer: "new-1", name: "x", at, profile: "vip" },
      { id: "w-profile-name", customer: "new-2", name: "x", at, profile: { name: 7 } },
      { id: "w-at-type", customer: "k0", name: "x", at: { when: "now" } },
      { id: "w-good-2", customer: "k0", name: "y", at },
    ];
    const res = await h.gateway.yoga.fetch("http://yoga/webhooks/events", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${w.key}` }, body: JSON.stringify({ events }) });
    expect(res.status).toBe(200);
    const result = await res.json();
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((x: { index: number; code: string; message: string }) => [x.index, x.code, x.message.split(":")[0]])).toEqual([
      [1, "BAD_EVENT", "events[1].at"],
      [2, "BAD_EVENT", "events[2].at"],
      [3, "BAD_EVENT", `events[3].data${".d".repeat(32)}`],
      [4, "BAD_EVENT", "events[4].customerIdKind"],
      [5, "BAD_EVENT", "events[5].customer"],
      [6, "BAD_EVENT", "events[6].profile"],
      [7, "BAD_EVENT", "events[7].profile.name"],
      [8, "BAD_EVENT", "events[8].at"],
    ]);
    expect(await storedIds()).toEqual(["w-good", "w-good-2"]);
  });

  it("the webhook takes customerIdKind in the GraphQL spelling (OPENID) as well as the API's (openid)", async () => {
    const { w, storedIds } = await creatingWorkspace();
    const at = new Date(START.getTime() - HOUR).toISOString();
    const events = [
      { id: "oa-upper", customer: "openid-k0", customerIdKind: "OPENID", name: "article.read", at },
      { id: "oa-lower", customer: "openid-k0", customerIdKind: "openid", name: "article.read", at },
    ];
    const res = await h.gateway.yoga.fetch("http://yoga/webhooks/events", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${w.key}` }, body: JSON.stringify({ events }) });
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(await storedIds()).toEqual(["oa-lower", "oa-upper"]);
  });

  it("a segment rule is checked when saved: a missing journey or an unreadable match is BAD_USER_INPUT naming it", async () => {
    const RULE = `mutation($i: SegmentRuleInput!) { upsertSegmentRule(input: $i) { id } }`;
    const missing = await ws.api(RULE, { i: { name: "typo", match: { source: "ad" }, journeyKey: "salse" } });
    expect(errorCodes(missing)).toEqual(["BAD_USER_INPUT"]);
    expect(missing.errors![0]!.message).toBe(`input.journeyKey: journey "salse" does not exist (or has no active version) in this workspace`);
    const badMatch = await ws.api(RULE, { i: { name: "typo", match: { source: { in: "ad" } }, journeyKey: "sales" } });
    expect(errorCodes(badMatch)).toEqual(["BAD_USER_INPUT"]);
    expect(badMatch.errors![0]!.message).toBe("input.match.source.in: expected a list of values");
    expect(ok(await ws.api(`{ segmentRules { name } }`)).segmentRules.filter((r: { name: string }) => r.name === "typo")).toEqual([]);
  });

  it("POST /webhooks/events ingests the same way with an API key and answers JSON", async () => {
    const post = (body: unknown, credential: string | null = ws.key, raw?: string) =>
      h.gateway.yoga.fetch("http://yoga/webhooks/events", {
        method: "POST",
        headers: { "content-type": "application/json", ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
        body: raw ?? JSON.stringify(body),
      });
    const res = await post({ events: [{ id: "w1", customer: "c0", name: "message.replied", at: START.toISOString() }, { id: "w2", customer: "nobody", name: "x", at: START.toISOString() }, { id: 5 }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        { index: 1, id: "w2", code: "UNKNOWN_CUSTOMER", message: expect.any(String) },
        { index: 2, id: null, code: "BAD_EVENT", message: expect.stringMatching(/^events\[2\]\.id/) },
      ],
    });
    const retried = await post({ events: [{ id: "w1", customer: "c0", name: "message.replied", at: START.toISOString() }] });
    expect((await retried.json()).duplicates).toBe(1);
    expect((await post({ events: [] }, null)).status).toBe(401);
    expect((await post({ events: [] }, "sk_nope_nope_nope_nope")).status).toBe(401);
    const staff = await ws.staff("hooker");
    expect((await post({ events: [] }, staff.token)).status).toBe(403);
    expect((await post(null, ws.key, "{not json")).status).toBe(400);
    const notArray = await post({ events: {} });
    expect(notArray.status).toBe(400);
    expect((await notArray.json()).errors[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", field: "events" } });
    const tooMany = await post({ events: Array.from({ length: 1_001 }, (_, i) => ({ id: `t${i}` })) });
    expect(tooMany.status).toBe(413);
    expect((await tooMany.json()).errors[0]).toMatchObject({ message: expect.stringMatching(/^events: at most 1000 events/), extensions: { code: "LIMIT" } });
    const get = await h.gateway.yoga.fetch("http://yoga/webhooks/events", { headers: { authorization: `Bearer ${ws.key}` } });
    expect(get.status).toBe(405);
  });
});
