import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createGateway } from "../../src/server/create-gateway.js";
import { DAY, ENROLL, type Harness, KINDS, START, type Tenant, UPSERT_JOURNEY, createHarness, errorCodes, ok, salesJourney, subscribeSse } from "./helpers.js";

const ENTRY = "ref title body type topic awareness cta version expired updatedAt";

type Staff = Awaited<ReturnType<Tenant["staff"]>>;

describe.each(KINDS)("security on %s", (kind) => {
  let h: Harness;
  let a: Tenant;
  let b: Tenant;
  let alice: Staff;
  let bob: Staff;
  let bEve: Staff;
  let aliceCustomer: string;
  let bobCustomer: string;
  let bobTask: string;
  let bCustomer: string;

  beforeAll(async () => {
    h = await createHarness(kind);
    h.clock.now = START;
    a = await h.workspace("tenant-a");
    b = await h.workspace("tenant-b");
    alice = await a.staff("alice");
    bob = await a.staff("bob");
    bEve = await b.staff("eve");
    for (const t of [a, b]) ok(await t.api(UPSERT_JOURNEY, { d: salesJourney }));
    aliceCustomer = ok(await a.api(ENROLL, { c: "ca", j: "sales", s: alice.id })).enroll.customerId;
    bobCustomer = ok(await a.api(ENROLL, { c: "cb", j: "sales", s: bob.id })).enroll.customerId;
    bCustomer = ok(await b.api(ENROLL, { c: "ca", j: "sales", s: bEve.id })).enroll.customerId;
    bobTask = ok(await bob.gql(`{ myTasks { edges { node { id } } } }`)).myTasks.edges[0].node.id;
  });
  afterAll(() => h?.close());

  it("rejects missing, unknown, malformed, expired and forged credentials with UNAUTHENTICATED", async () => {
    const q = `{ viewer { kind } }`;
    expect(errorCodes(await h.gql(null, q))).toEqual(["UNAUTHENTICATED"]);
    expect(errorCodes(await h.gql("sk_not_a_real_key_at_all", q))).toEqual(["UNAUTHENTICATED"]);
    expect(errorCodes(await h.gql(null, q, {}, { authorization: "Basic abc" }))).toEqual(["UNAUTHENTICATED"]);
    expect(errorCodes(await h.gql("a.b.c", q))).toEqual(["UNAUTHENTICATED"]);
    // a token claiming workspace B but signed with anything else than B's secret
    const forged = await new SignJWT({ ws: b.id }).setProtectedHeader({ alg: "HS256" }).setSubject(bEve.id).setExpirationTime("1h").sign(new TextEncoder().encode("guess"));
    expect(errorCodes(await h.gql(forged, q))).toEqual(["UNAUTHENTICATED"]);
    // expiry follows the injected clock
    const short = ok(await a.api(`mutation($s: ID!) { issueStaffToken(staffId: $s, ttlSeconds: 60) { token expiresAt } }`, { s: alice.id })).issueStaffToken;
    expect(short.expiresAt).toBe(new Date(START.getTime() + 60_000).toISOString());
    expect(ok(await h.gql(short.token, q)).viewer.kind).toBe("STAFF");
    h.clock.now = new Date(START.getTime() + 61_000);
    const expired = await h.gql(short.token, q);
    expect(errorCodes(expired)).toEqual(["UNAUTHENTICATED"]);
    expect(expired.errors![0]!.message).toMatch(/expired/);
    h.clock.now = START;
    // deactivating a staff member revokes their tokens at once
    const carol = await a.staff("carol");
    ok(await a.api(`mutation { upsertStaff(input: { externalId: "carol", name: "carol", active: false }) { active } }`));
    expect(errorCodes(await carol.gql(q))).toEqual(["UNAUTHENTICATED"]);
    expect(errorCodes(await a.api(`mutation($s: ID!) { issueStaffToken(staffId: $s) { token } }`, { s: carol.id }))).toEqual(["NOT_FOUND"]);
    expect(errorCodes(await a.api(`mutation($s: ID!) { issueStaffToken(staffId: $s, ttlSeconds: 5) { token } }`, { s: alice.id }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("isolates workspaces: another tenant's ids are NOT_FOUND everywhere, never data", async () => {
    const asB = (q: string, v?: Record<string, unknown>) => b.api(q, v);
    const expectNotFound = async (q: string, v?: Record<string, unknown>) => {
      const r = await asB(q, v);
      expect(r.data === null || Object.values(r.data ?? {}).every((x) => x === null)).toBe(true);
      expect(errorCodes(r)).toEqual(["NOT_FOUND"]);
    };
    await expectNotFound(`query($id: ID!) { customer(id: $id) { id } }`, { id: aliceCustomer });
    await expectNotFound(`mutation($id: ID!) { moveCustomer(customerId: $id, journeyKey: "sales", to: "interested") { id } }`, { id: aliceCustomer });
    await expectNotFound(`mutation($id: ID!) { completeTask(id: $id) { id } }`, { id: bobTask });
    await expectNotFound(`mutation($id: ID!) { skipTask(id: $id, reason: "x") { id } }`, { id: bobTask });
    await expectNotFound(`mutation($id: ID!, $s: ID!) { handoverCustomer(customerId: $id, toStaffId: $s) { movedTasks } }`, { id: aliceCustomer, s: bEve.id });
    await expectNotFound(`mutation($id: ID!, $s: ID!) { assignCustomer(customerId: $id, staffId: $s) { movedTasks } }`, { id: bCustomer, s: alice.id });
    await expectNotFound(`mutation($s: ID!) { issueStaffToken(staffId: $s) { token } }`, { s: alice.id });
    await expectNotFound(`mutation($s: ID) { enroll(customerExternalId: "x", journeyKey: "sales", staffId: $s) { customerId } }`, { s: alice.id });
    // lists and feeds only hold the caller's own workspace
    expect(ok(await asB(`{ customers { totalCount edges { node { id } } } }`)).customers).toEqual({ totalCount: 1, edges: [{ node: { id: bCustomer } }] });
    expect(ok(await asB(`query($s: ID) { myTasks(staffId: $s) { totalCount } }`, { s: alice.id })).myTasks.totalCount).toBe(0);
    expect(ok(await asB(`{ tasksSince(seq: "0") { staffId } }`)).tasksSince).toEqual([{ staffId: bEve.id }]);
    expect(ok(await asB(`{ board { journeys { customers } staff { staff { id } } } }`)).board).toEqual({ journeys: [{ customers: 1 }], staff: [{ staff: { id: bEve.id } }] });
    // the same external id in two workspaces is two customers
    expect(bCustomer).not.toBe(aliceCustomer);
    // subscriptions too
    const feed = await subscribeSse(h, b.key, `subscription($s: ID) { myTaskFeed(staffId: $s) { change } }`, { s: alice.id });
    expect(errorCodes({ ...(await feed.next()), status: 200, contentType: null, data: null, body: null })).toEqual(["NOT_FOUND"]);
    await feed.close();
    const timeline = await subscribeSse(h, b.key, `subscription($c: ID!) { customerTimeline(customerId: $c) { customerId } }`, { c: aliceCustomer });
    expect((await timeline.next()).errors?.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);
    await timeline.close();
  });

  it("a staff token sees only its own customers and tasks, and cannot use workspace-wide operations", async () => {
    expect(errorCodes(await alice.gql(`query($id: ID!) { customer(id: $id) { id } }`, { id: bobCustomer }))).toEqual(["NOT_FOUND"]);
    expect(ok(await alice.gql(`{ customers { edges { node { externalId } } } }`)).customers.edges).toEqual([{ node: { externalId: "ca" } }]);
    expect(ok(await alice.gql(`{ tasksSince(seq: "0") { staffId } }`)).tasksSince).toEqual([{ staffId: alice.id }]);
    expect(errorCodes(await alice.gql(`query($s: ID) { tasksSince(seq: "0", staffId: $s) { id } }`, { s: bob.id }))).toEqual(["FORBIDDEN"]);
    expect(errorCodes(await alice.gql(`mutation($id: ID!) { moveCustomer(customerId: $id, journeyKey: "sales", to: "interested") { id } }`, { id: bobCustomer }))).toEqual(["NOT_FOUND"]);
    expect(ok(await alice.gql(`{ staff { externalId } }`)).staff).toEqual([{ externalId: "alice" }]);
    expect(ok(await alice.gql(`{ contentDue(customer: "cb", channel: PRIVATE_CHAT) { id } }`)).contentDue).toEqual([]);
    for (const op of [
      `mutation { upsertJourney(definition: {}) { created } }`,
      `mutation { enroll(customerExternalId: "z", journeyKey: "sales") { created } }`,
      `mutation { upsertContent(input: { ref: "r", title: "t", type: "offer", body: {} }) { id } }`,
      `mutation { upsertStaff(input: { externalId: "x", name: "x" }) { id } }`,
      `mutation { updateWorkspaceSettings(unknownCustomers: CREATE) { unknownCustomers } }`,
      `mutation($s: ID!) { issueStaffToken(staffId: $s) { token } }`,
      `mutation($c: ID!, $s: ID!) { handoverCustomer(customerId: $c, toStaffId: $s) { movedTasks } }`,
      `{ segmentRules { id } }`,
    ]) {
      const r = await alice.gql(op, { s: alice.id, c: aliceCustomer });
      expect(errorCodes(r), op).toEqual(["FORBIDDEN"]);
      expect(r.data, op).toBeNull();
    }
    // events only for its own customers: bob's reads as unknown and is not stored
    const ingest = ok(await alice.gql(`mutation { ingestEvents(events: [{ id: "alice-1", customer: "cb", name: "demo.attended", at: "${START.toISOString()}" }]) { accepted rejected { code } } }`)).ingestEvents;
    expect(ingest).toEqual({ accepted: 0, rejected: [{ code: "UNKNOWN_CUSTOMER" }] });
    const feed = await subscribeSse(h, alice.token, `subscription($s: ID) { myTaskFeed(staffId: $s) { change } }`, { s: bob.id });
    expect((await feed.next()).errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    await feed.close();
  });

  it("subscriptions deliver only the caller's own tasks and own customers' timelines", async () => {
    const feed = await subscribeSse(h, alice.token, `subscription { myTaskFeed { change task { customerId staffId title } } }`);
    const timelineOwn = await subscribeSse(h, alice.token, `subscription($c: ID!) { customerTimeline(customerId: $c) { customerId effects { type stage stepId channel } } }`, { c: aliceCustomer });
    const timelineOther = await subscribeSse(h, alice.token, `subscription($c: ID!) { customerTimeline(customerId: $c) { customerId } }`, { c: bobCustomer });
    try {
      expect((await timelineOther.next()).errors?.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);
      // a task for bob's new customer must not reach alice; one for alice's does
      ok(await a.api(ENROLL, { c: "cb2", j: "sales", s: bob.id }));
      const mine = ok(await a.api(ENROLL, { c: "ca2", j: "sales", s: alice.id })).enroll.customerId;
      const first = (await feed.next()).data.myTaskFeed;
      expect(first).toEqual({ change: "CREATED", task: { customerId: mine, staffId: alice.id, title: "Say hello" } });
      expect(await feed.nothingWithin(150)).toBe(true);
      // the timeline of alice's customer shows the stage change an event causes
      h.clock.now = new Date(START.getTime() + 60_000);
      ok(await a.api(`mutation { ingestEvents(events: [{ id: "t1", customer: "ca", name: "demo.attended", at: "${START.toISOString()}" }]) { accepted } }`));
      const update = (await timelineOwn.next()).data.customerTimeline;
      expect(update.customerId).toBe(aliceCustomer);
      expect(update.effects).toEqual(expect.arrayContaining([expect.objectContaining({ type: "stage.entered", stage: "interested" }), expect.objectContaining({ type: "step.due", stepId: "trial", channel: "private_chat" })]));
    } finally {
      h.clock.now = START;
      await Promise.all([feed.close(), timelineOwn.close(), timelineOther.close()]);
    }
  });

  it("limits query size (aliases, cost, tokens) and input sizes with LIMIT errors that say which limit", async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: viewer { kind }`).join(" ");
    const r1 = await a.api(`{ ${aliases} }`);
    expect(r1.status).toBe(400);
    expect(errorCodes(r1)).toEqual(["LIMIT"]);
    expect(r1.errors![0]!.message).toMatch(/Aliases limit of 30 exceeded, found 31/);

    const page = `myTasks(staffId: $s, first: 100) { edges { node { id title contentEntry { ${ENTRY} } customer { externalId tags journeys { stage pastSteps { stepId contentEntry { ${ENTRY} } } upcomingSteps { stepId contentEntry { ${ENTRY} } } } } } } }`;
    const r2 = await a.api(`query($s: ID) { p1: ${page} p2: ${page} }`, { s: alice.id });
    expect(r2.status).toBe(400);
    expect(errorCodes(r2)).toEqual(["LIMIT"]);
    expect(r2.errors![0]!.message).toMatch(/^Query Cost limit of 50000 exceeded, found \d+/);
    expect(r2.errors![0]!.extensions).toMatchObject({ limit: "cost" });
    const light = page.replaceAll(ENTRY, "title");
    expect(ok(await a.api(`query($s: ID) { p1: ${light} }`, { s: alice.id })).p1.edges.length).toBeGreaterThan(0);

    const tokens = Array.from({ length: 5_100 }, () => "__typename").join(" ");
    const r3 = await a.api(`{ ${tokens} }`);
    expect(errorCodes(r3)).toEqual(["LIMIT"]);
    expect(r3.errors![0]!.message).toMatch(/Token limit of 5000 exceeded/);

    const name = await a.api(`mutation($n: String!) { upsertStaff(input: { externalId: "long", name: $n }) { id } }`, { n: "x".repeat(201) });
    expect(errorCodes(name)).toEqual(["LIMIT"]);
    expect(name.errors![0]!.message).toBe("input.name: at most 200 characters allowed, got 201");
    expect(name.errors![0]!.extensions).toMatchObject({ field: "input.name", limit: 200 });
    const big = await a.api(`mutation($d: JSON!) { upsertJourney(definition: $d) { created } }`, { d: { id: "x", blob: "y".repeat(1_100_000) } });
    expect(errorCodes(big)).toEqual(["LIMIT"]);
    expect(big.errors![0]!.message).toMatch(/^upsertJourney: arguments are \d+ bytes, at most 1048576 allowed/);

    const res = await h.gateway.yoga.fetch("http://yoga/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(3 * 1024 * 1024), authorization: `Bearer ${a.key}` },
      body: JSON.stringify({ query: "{ viewer { kind } }" }),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).errors[0]).toMatchObject({ extensions: { code: "LIMIT", field: "body" } });
  });

  it("limits query depth (the schema has no cycles, so the limit is shown on a gateway configured lower)", async () => {
    const strict = await createGateway({ db: h.test.db, clock: () => h.clock.now, queryLimits: { maxDepth: 3 } });
    try {
      const res = await strict.yoga.fetch("http://yoga/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${a.key}` },
        body: JSON.stringify({ query: `{ customers { edges { node { staff { id } } } } }` }),
      });
      const body = await res.json();
      expect(body.errors[0]).toMatchObject({ message: "Query depth limit of 3 exceeded, found 5.", extensions: { code: "LIMIT" } });
    } finally {
      await strict.stop();
    }
  });

  it("masks unexpected errors: no SQL or stack reaches the caller", async () => {
    const spy = vi.spyOn(h.gateway.registry, "remember").mockImplementationOnce(() => {
      throw new Error('relation "secret" does not exist: SELECT password FROM secret');
    });
    try {
      const r = await a.api(`{ journeyLint(key: "sales") { code } }`);
      expect(errorCodes(r)).toEqual(["INTERNAL_SERVER_ERROR"]);
      expect(r.errors![0]!.message).toBe("Unexpected error.");
      expect(JSON.stringify(r.body)).not.toMatch(/secret|password|select|stack/i);
    } finally {
      spy.mockRestore();
    }
    // a value out of range is the caller's mistake, not a database error
    expect(errorCodes(await a.api(`{ tasksSince(seq: "9999999999999999999") { id } }`))).toEqual(["BAD_USER_INPUT"]);
  });

  it("answers GraphQL-over-HTTP: application/graphql-response+json, 400 for invalid documents, GET for queries", async () => {
    const r = await a.api(`{ viewer { kind } }`);
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^application\/graphql-response\+json/);
    expect((await a.api(`{ nope }`)).status).toBe(400);
    const get = await h.gateway.yoga.fetch(`http://yoga/graphql?query=${encodeURIComponent("{ viewer { kind } }")}`, { headers: { accept: "application/graphql-response+json", authorization: `Bearer ${a.key}` } });
    expect(await get.json()).toEqual({ data: { viewer: { kind: "API_KEY" } } });
    const mutationOverGet = await h.gateway.yoga.fetch(`http://yoga/graphql?query=${encodeURIComponent("mutation { updateWorkspaceSettings(unknownCustomers: CREATE) { unknownCustomers } }")}`, { headers: { accept: "application/graphql-response+json", authorization: `Bearer ${a.key}` } });
    expect(mutationOverGet.status).toBe(405);
  });

  it("expired tokens fail at the next request even mid-session (the clock is injected, tests never sleep)", async () => {
    const t = ok(await a.api(`mutation($s: ID!) { issueStaffToken(staffId: $s, ttlSeconds: 86400) { token } }`, { s: alice.id })).issueStaffToken.token;
    expect(ok(await h.gql(t, `{ viewer { staff { externalId } } }`)).viewer.staff.externalId).toBe("alice");
    h.clock.now = new Date(START.getTime() + 2 * DAY);
    expect(errorCodes(await h.gql(t, `{ viewer { kind } }`))).toEqual(["UNAUTHENTICATED"]);
    h.clock.now = START;
  });
  it("a staff subscription does not outlive its token: the first update after expiry is an UNAUTHENTICATED error, then it ends", async () => {
    const t = ok(await a.api(`mutation($s: ID!) { issueStaffToken(staffId: $s, ttlSeconds: 3600) { token } }`, { s: alice.id })).issueStaffToken.token;
    const feed = await subscribeSse(h, t, `subscription { myTaskFeed { change task { customerId } } }`);
    const board = await subscribeSse(h, a.key, `subscription { boardChanged { __typename } }`);
    try {
      const first = ok(await a.api(ENROLL, { c: "exp-1", j: "sales", s: alice.id })).enroll.customerId;
      expect((await feed.next()).data.myTaskFeed).toEqual({ change: "CREATED", task: { customerId: first } });
      h.clock.now = new Date(START.getTime() + 2 * 3_600_000);
      ok(await a.api(ENROLL, { c: "exp-2", j: "sales", s: alice.id }));
      const expired = await feed.next();
      expect(expired.data ?? null).toBeNull();
      expect(expired.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
      expect(expired.errors?.[0]?.message).toMatch(/staff token has expired/);
      await expect(feed.next(2_000)).rejects.toThrow("subscription ended");
      // an API key's subscription keeps running past the expiry (board updates are coalesced to one a
      // second, so the two enrollments may arrive as one update): a change now still reaches it
      expect((await board.next()).data.boardChanged).toEqual({ __typename: "BoardChanged" });
      ok(await a.api(ENROLL, { c: "exp-3", j: "sales", s: alice.id }));
      expect((await board.next()).data.boardChanged).toEqual({ __typename: "BoardChanged" });
    } finally {
      h.clock.now = START;
      await Promise.all([feed.close(), board.close()]);
    }
  });
});
