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
