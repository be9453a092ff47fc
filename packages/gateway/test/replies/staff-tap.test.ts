import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENROLL, type Harness, START, type Tenant, UPSERT_JOURNEY, createHarness, errorCodes, ok, salesJourney } from "../graphql/helpers.js";

// The chat toolbar's "customer replied" tap: message.replied with source staff_tap, own customers only.

const TAP = `mutation($c: ID!, $at: DateTime, $id: String) { reportCustomerReplied(customerId: $c, at: $at, id: $id) { eventId customerId recorded duplicate } }`;

describe("reportCustomerReplied (pglite)", () => {
  let h: Harness;
  let ws: Tenant;
  beforeAll(async () => {
    h = await createHarness("pglite");
    ws = await h.workspace();
    ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
  });
  afterAll(() => h?.close());

  it("a staff member's tap records message.replied (source staff_tap) for their own customer, once per retry; another's customer is NOT_FOUND", async () => {
    h.clock.now = new Date(START.getTime() + 60_000);
    const amy = await ws.staff("amy");
    const bob = await ws.staff("bob");
    const mine = ok(await ws.api(ENROLL, { c: "tap-1", j: "sales", s: amy.id })).enroll.customerId;
    const bobs = ok(await ws.api(ENROLL, { c: "tap-2", j: "sales", s: bob.id })).enroll.customerId;

    const first = ok(await amy.gql(TAP, { c: mine })).reportCustomerReplied;
    expect(first).toMatchObject({ customerId: mine, recorded: true, duplicate: false });
    // the same tap retried within the minute counts once
    expect(ok(await amy.gql(TAP, { c: mine })).reportCustomerReplied).toMatchObject({ eventId: first.eventId, recorded: false, duplicate: true });
    // an id of the caller's own, and an earlier time
    const at = START.toISOString();
    expect(ok(await amy.gql(TAP, { c: mine, at, id: "tap-abc" })).reportCustomerReplied).toMatchObject({ eventId: "staff_tap:tap-abc", recorded: true });

    const events = await h.test.db.sql.query<{ name: string; at: Date; data: unknown }>(`SELECT name, at, data FROM events WHERE customer_id = $1 ORDER BY at`, [mine]);
    expect(events.map((e) => [e.name, new Date(e.at).toISOString(), e.data])).toEqual([
      ["message.replied", at, { source: "staff_tap", channel: "private_chat", staffId: amy.id }],
      ["message.replied", h.clock.now.toISOString(), { source: "staff_tap", channel: "private_chat", staffId: amy.id }],
    ]);

    expect(errorCodes(await amy.gql(TAP, { c: bobs }))).toEqual(["NOT_FOUND"]);
    // the API key may report it too (e.g. a sidebar served by the operator's own server)
    expect(ok(await ws.api(TAP, { c: bobs })).reportCustomerReplied).toMatchObject({ recorded: true });
  });

  it("a time more than 5 minutes ahead is BAD_USER_INPUT naming `at`, and nothing is stored", async () => {
    const amy = await ws.staff("amy2");
    const c = ok(await ws.api(ENROLL, { c: "tap-3", j: "sales", s: amy.id })).enroll.customerId;
    const r = await amy.gql(TAP, { c, at: new Date(h.clock.now.getTime() + 3_600_000).toISOString() });
    expect(errorCodes(r)).toEqual(["BAD_USER_INPUT"]);
    expect(r.errors![0]!.message).toMatch(/^at:/);
    expect(await h.test.db.sql.query(`SELECT 1 FROM events WHERE customer_id = $1`, [c])).toEqual([]);
  });
});
