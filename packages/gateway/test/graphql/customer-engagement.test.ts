// Customer.engagement (opens, reads with dwell, clicks of tracked content) and Query.serverTime.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENROLL, HOUR, type Harness, KINDS, START, type Tenant, UPSERT_JOURNEY, createHarness, errorCodes, ok, salesJourney } from "./helpers.js";

const INGEST = `mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted rejected { code message } } }`;
const ENGAGEMENT = `query($id: ID!, $last: Int) { customer(id: $id) { engagement(last: $last) { id name at deliveryKey content seconds link } } }`;

describe.each(KINDS)("customer engagement and server time on %s", (kind) => {
  let h: Harness;
  let ws: Tenant;
  let c0: string;

  beforeAll(async () => {
    h = await createHarness(kind);
    ws = await h.workspace();
    ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
    c0 = ok(await ws.api(ENROLL, { c: "c0", j: "sales" })).enroll.customerId;
    h.clock.now = new Date(START.getTime() + 2 * HOUR);
    const at = (m: number) => new Date(START.getTime() + m * 60_000).toISOString();
    const data = { deliveryKey: "dk-1", content: "case-1", link: "https://example.com/case" };
    const r = ok(
      await ws.api(INGEST, {
        e: [
          { id: "o1", customer: "c0", name: "content.opened", at: at(10), data },
          { id: "r1", customer: "c0", name: "content.read", at: at(12), data: { ...data, seconds: 75 } },
          { id: "k1", customer: "c0", name: "link.clicked", at: at(13), data },
          { id: "x1", customer: "c0", name: "demo.booked", at: at(14) },
        ],
      }),
    ).ingestEvents;
    expect(r.rejected).toEqual([]);
  });
  afterAll(() => h?.close());

  it("lists the customer's opens, reads (with seconds) and clicks newest first, other events left out", async () => {
    const { engagement } = ok(await ws.api(ENGAGEMENT, { id: c0 })).customer;
    expect(engagement.map((e: { name: string }) => e.name)).toEqual(["link.clicked", "content.read", "content.opened"]);
    expect(engagement[1]).toEqual({ id: "r1", name: "content.read", at: new Date(START.getTime() + 12 * 60_000).toISOString(), deliveryKey: "dk-1", content: "case-1", seconds: 75, link: "https://example.com/case" });
    expect(engagement[2].seconds).toBeNull();
    expect(ok(await ws.api(ENGAGEMENT, { id: c0, last: 1 })).customer.engagement.map((e: { id: string }) => e.id)).toEqual(["k1"]);
  });

  it("refuses a count out of range, naming the argument", async () => {
    const r = await ws.api(ENGAGEMENT, { id: c0, last: 0 });
    expect(errorCodes(r)).toEqual(["BAD_USER_INPUT"]);
    expect(r.errors![0]!.message).toMatch(/engagement\(last:\)/);
  });

  it("another workspace does not see them", async () => {
    const other = await h.workspace("other");
    const r = await other.api(ENGAGEMENT, { id: c0 });
    expect(r.data?.customer ?? null).toBeNull();
  });

  it("serverTime is the gateway's injected clock, not the machine's", async () => {
    h.clock.now = new Date("2030-05-01T08:00:00.000Z");
    expect(ok(await ws.api(`{ serverTime }`)).serverTime).toBe("2030-05-01T08:00:00.000Z");
    expect(errorCodes(await h.gql(null, `{ serverTime }`))).toEqual(["UNAUTHENTICATED"]);
  });
});
