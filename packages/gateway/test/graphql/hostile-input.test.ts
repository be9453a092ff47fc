// Hostile values anywhere in the GraphQL API are clear 4xx errors naming the argument, never a
// masked "Unexpected error." (a stack overflow, or a PostgreSQL error about bytes it cannot store).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nestingBeyond } from "../../src/server/security.js";
import { ENROLL, type Harness, START, type Tenant, UPSERT_JOURNEY, createHarness, errorCodes, ok, salesJourney } from "./helpers.js";

describe("hostile GraphQL input", () => {
  let h: Harness;
  let ws: Tenant;
  let c0: string;

  beforeAll(async () => {
    h = await createHarness("postgres");
    h.clock.now = START;
    ws = await h.workspace();
    ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
    c0 = ok(await ws.api(ENROLL, { c: "c0", j: "sales" })).enroll.customerId;
  });
  afterAll(() => h?.close());

  it("a 5,000-deep query answers 400 LIMIT before the parser recurses (no stack overflow, no masked 500)", async () => {
    for (const query of [`{${"a{".repeat(5_000)}b${"}".repeat(5_000)}}`, `mutation { upsertJourney(definition: ${"[".repeat(5_000)}${"]".repeat(5_000)}) { created } }`]) {
      const r = await ws.api(query);
      expect(r.status).toBe(400);
      expect(errorCodes(r)).toEqual(["LIMIT"]);
      expect(r.errors![0]!.message).toMatch(/^document nested more than 64 brackets deep/);
      expect(r.errors![0]!.extensions).toEqual({ code: "LIMIT", limit: "nesting" });
    }
    // brackets inside strings and comments are text, not nesting
    expect(nestingBeyond(`{ content(ref: "${"{".repeat(100)}") { ref } } # ${"[".repeat(100)}`, 64)).toBe(-1);
    expect(nestingBeyond(`{ a(b: """${"(".repeat(100)} \\""" """) }`, 64)).toBe(-1);
    expect(nestingBeyond(`{ a(b: ${"[".repeat(65)}`, 64)).toBe(7 + 62); // "{" and "(" count as well
  });

  it("NUL bytes and lone surrogates in any argument are BAD_USER_INPUT naming it (PostgreSQL text cannot store them)", async () => {
    const NUL = "a\u0000b";
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [`query($id: ID!) { customer(id: $id) { id } }`, { id: NUL }, "id"],
      [`mutation($i: StaffInput!) { upsertStaff(input: $i) { id } }`, { i: { externalId: NUL, name: "x" } }, "input.externalId"],
      [`mutation($i: ContentInput!) { upsertContent(input: $i) { ref } }`, { i: { ref: "r1", title: "t", type: "article", body: { text: "\ud800" } } }, "input.body.text"],
      [`mutation($i: ContentInput!) { upsertContent(input: $i) { ref } }`, { i: { ref: "r1", title: "t", type: "article", body: { [NUL]: 1 } } }, "input.body"],
      [UPSERT_JOURNEY, { d: { ...salesJourney, stages: [{ ...salesJourney.stages[0], onEnter: { addTags: [NUL] } }, salesJourney.stages[1]] } }, "definition.stages[0].onEnter.addTags[0]"],
      [`mutation($i: [ID!]!) { acknowledgeDeliveries(ids: $i, status: SENT) }`, { i: ["ok", NUL] }, "ids[1]"],
      [`mutation($c: ID!, $t: String!) { moveCustomer(customerId: $c, journeyKey: $t, to: "interested") { id } }`, { c: c0, t: NUL }, "journeyKey"],
    ];
    for (const [query, variables, field] of cases) {
      const r = await ws.api(query, variables);
      expect(errorCodes(r), field).toEqual(["BAD_USER_INPUT"]);
      expect(r.errors![0]!.message.startsWith(`${field}: `), r.errors![0]!.message).toBe(true);
      expect(r.errors![0]!.extensions).toMatchObject({ field });
    }
  });

  it("dates PostgreSQL cannot store, numbers that are no date and bad cursors are BAD_USER_INPUT", async () => {
    const content = await ws.api(`mutation { upsertContent(input: { ref: "r2", title: "t", type: "article", body: {}, expiresAt: "-005000-01-01T00:00:00Z" }) { ref } }`);
    expect(errorCodes(content)).toEqual(["BAD_USER_INPUT"]);
    expect(content.errors![0]!.message).toBe("input.expiresAt: expected a date between years 1 and 9999, got -005000-01-01T00:00:00.000Z");
    const notADate = await ws.api(`mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }`, { e: [{ id: "x", customer: "c0", name: "x", at: 1e20 }] });
    expect(notADate.status).toBe(400);
    expect(errorCodes(notADate)).toEqual(["BAD_USER_INPUT"]);
    expect(notADate.errors![0]!.message).toMatch(/at "e\[0\]\.at"; DateTime: expected/);
    for (const query of [`{ customers(after: "R1BOOm") { edges { node { id } } } }`, `{ customers(first: -5) { edges { node { id } } } }`]) {
      const r = await ws.api(query);
      expect(errorCodes(r), query).toEqual(["BAD_USER_INPUT"]);
    }
  });
});
