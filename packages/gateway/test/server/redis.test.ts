import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace } from "../../src/auth/index.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { type Gateway, createGateway } from "../../src/server/create-gateway.js";
import { ENROLL, START, UPSERT_JOURNEY, salesJourney } from "../graphql/helpers.js";
import { collect, settle, wsClient } from "./helpers.js";

const REDIS_URL = process.env.SOPLINE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

// Two gateway processes' worth of gateways on one PostgreSQL: a task created through one reaches
// a staff member subscribed to the other, through Redis — and only that staff member.
describe("cross-instance subscriptions through Redis", () => {
  let t: TestDatabase;
  let one: Gateway;
  let two: Gateway;
  let urlOne: string;
  let urlTwo: string;
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    one = await createGateway({ db: t.db, clock: () => START, redisUrl: REDIS_URL, schedulerIntervalMs: 3_600_000 });
    two = await createGateway({ db: t.db, clock: () => START, redisUrl: REDIS_URL, schedulerIntervalMs: 3_600_000 });
    urlOne = (await one.start(0, "127.0.0.1")).url;
    urlTwo = (await two.start(0, "127.0.0.1")).url;
  });
  afterAll(async () => {
    await one?.stop();
    await two?.stop();
    await t?.drop();
  });

  it("delivers a task created on one instance to the owner's feed on the other", async () => {
    const { apiKey } = await createWorkspace(t.db.sql, { name: "redis" });
    const call = async (url: string, query: string, variables?: Record<string, unknown>) => {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` }, body: JSON.stringify({ query, variables }) });
      return ((await res.json()) as { data: any }).data;
    };
    await call(urlTwo, UPSERT_JOURNEY, { d: salesJourney });
    const alice = (await call(urlTwo, `mutation { upsertStaff(input: { externalId: "alice", name: "A" }) { id } }`)).upsertStaff.id;
    const bob = (await call(urlTwo, `mutation { upsertStaff(input: { externalId: "bob", name: "B" }) { id } }`)).upsertStaff.id;
    const token = (await call(urlTwo, `mutation($s: ID!) { issueStaffToken(staffId: $s) { token } }`, { s: alice })).issueStaffToken.token;

    const c = wsClient(urlOne, `Bearer ${token}`);
    try {
      const feed = collect(c.client, `subscription { myTaskFeed { change task { staffId customerId } } }`);
      await settle(c.client);
      await call(urlTwo, ENROLL, { c: "x-bob", j: "sales", s: bob });
      const customerId = (await call(urlTwo, ENROLL, { c: "x-alice", j: "sales", s: alice })).enroll.customerId;
      expect((await feed.next()).data.myTaskFeed).toEqual({ change: "CREATED", task: { staffId: alice, customerId } });
      expect(await feed.nothingWithin(200)).toBe(true);
    } finally {
      await c.client.dispose();
    }
  });
});
