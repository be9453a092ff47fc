import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace } from "../../src/auth/index.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { type Gateway, createGateway } from "../../src/server/create-gateway.js";
import { ENROLL, KINDS, START, UPSERT_JOURNEY, salesJourney } from "../graphql/helpers.js";
import { collect, settle, wsClient } from "./helpers.js";

const FEED = `subscription($s: ID) { myTaskFeed(staffId: $s) { change task { id seq title kind channel content dueAt status customerId staffId } } }`;

describe.each(KINDS)("the gateway server on %s (HTTP and graphql-ws on one port)", (kind) => {
  let t: TestDatabase;
  let gateway: Gateway;
  let url: string;
  const clock = { now: START };
  let key: string;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  const post = async (query: string, variables?: Record<string, unknown>, credential = key) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json", authorization: `Bearer ${credential}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    gateway = await createGateway({ db: t.db, clock: () => clock.now, schedulerIntervalMs: 3_600_000 });
    ({ url } = await gateway.start(0, "127.0.0.1"));
    key = (await createWorkspace(t.db.sql, { name: "server" })).apiKey;
    await post(UPSERT_JOURNEY, { d: salesJourney });
    const staff = async (externalId: string) => {
      const id = (await post(`mutation($e: String!) { upsertStaff(input: { externalId: $e, name: $e }) { id } }`, { e: externalId })).upsertStaff.id;
      const token = (await post(`mutation($s: ID!) { issueStaffToken(staffId: $s, ttlSeconds: 604800) { token } }`, { s: id })).issueStaffToken.token;
      return { id, token };
    };
    alice = await staff("alice");
    bob = await staff("bob");
  });
  afterAll(async () => {
    await gateway?.stop();
    await t?.drop();
  });

  it("created the first workspace with a generated admin key, stored only as a hash", async () => {
    expect(gateway.adminKeyGenerated).toBe(true);
    expect(gateway.adminKey).toMatch(/^sk_[\w-]{43}$/);
    const [row] = await t.db.sql.query<{ name: string; api_key_hash: string; settings: object }>(`SELECT name, api_key_hash, settings FROM workspaces WHERE id = $1`, [gateway.workspaceId]);
    expect(row).toMatchObject({ name: "default", api_key_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // the staff-token secret is made on first use, and stored sealed only (test/auth/token-secret.test.ts)
    expect(row!.settings).not.toHaveProperty("tokenSecret");
    expect(JSON.stringify(row)).not.toContain(gateway.adminKey);
    expect((await post(`{ viewer { workspace { name } } }`, {}, gateway.adminKey!)).viewer.workspace.name).toBe("default");
    // a second gateway on the same database does not create another
    const second = await createGateway({ db: t.db, clock: () => clock.now });
    expect(second.workspaceId).toBe(gateway.workspaceId);
    expect(second.adminKey).toBeUndefined();
    await second.stop();
  });

  it("speaks GraphQL over HTTP (graphql-response+json), serves GraphiQL and refuses oversized bodies", async () => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/graphql-response+json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query: "{ viewer { kind } }" }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/graphql-response\+json/);
    expect(await res.json()).toEqual({ data: { viewer: { kind: "API_KEY" } } });
    const page = await fetch(url, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/graphiql/i);
    const big = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }", pad: "x".repeat(3 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ errors: [{ extensions: { code: "LIMIT", field: "body" } }] });
    const hook = await fetch(url.replace(/\/graphql$/, "/webhooks/events"), { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ events: [] }) });
    expect(await hook.json()).toEqual({ accepted: 0, duplicates: 0, rejected: [] });
  });

  it("streams a staff member's own task feed over graphql-ws (token in connectionParams), never another's", async () => {
    const a = wsClient(url, `Bearer ${alice.token}`);
    const admin = wsClient(url, `Bearer ${key}`);
    try {
      const aliceFeed = collect(a.client, FEED);
      const bobFeedByKey = collect(admin.client, FEED, { s: bob.id });
      await settle(a.client);
      await settle(admin.client);
      const customerId = (await post(ENROLL, { c: "ws-a1", j: "sales", s: alice.id })).enroll.customerId;
      await post(ENROLL, { c: "ws-b1", j: "sales", s: bob.id });
      const first = await aliceFeed.next();
      expect(first.data.myTaskFeed).toEqual({
        change: "CREATED",
        task: { id: expect.any(String), seq: expect.stringMatching(/^\d+$/), title: "Say hello", kind: "chat", channel: "PRIVATE_CHAT", content: "greeting", dueAt: START.toISOString(), status: "OPEN", customerId, staffId: alice.id },
      });
      expect((await bobFeedByKey.next()).data.myTaskFeed.task).toMatchObject({ staffId: bob.id, customerId: expect.any(String) });
      expect(await aliceFeed.nothingWithin(200)).toBe(true);

      // a staff token cannot listen to someone else's feed
      const spy = collect(a.client, FEED, { s: bob.id });
      expect((await spy.next()).errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);

      // completion arrives as UPDATED; the scheduler's next task (a call on day 1) as CREATED
      await post(`mutation($id: ID!) { completeTask(id: $id) { status } }`, { id: first.data.myTaskFeed.task.id }, alice.token);
      expect((await aliceFeed.next()).data.myTaskFeed).toMatchObject({ change: "UPDATED", task: { status: "DONE" } });
      clock.now = new Date(START.getTime() + 25 * 3_600_000);
      await gateway.scheduler.runOnce(clock.now);
      expect((await aliceFeed.next()).data.myTaskFeed).toMatchObject({ change: "CREATED", task: { kind: "call", channel: "CALL", customerId } });

    } finally {
      clock.now = START;
      await a.client.dispose();
      await admin.client.dispose();
    }
  });

  it("sends board changes and a customer's timeline over graphql-ws", async () => {
    const c = wsClient(url, `Bearer ${alice.token}`);
    try {
      const customerId = (await post(ENROLL, { c: "ws-a2", j: "sales", s: alice.id })).enroll.customerId;
      const board = collect(c.client, `subscription { boardChanged { board { journeys { key stages { id customers } } } } }`);
      const timeline = collect(c.client, `subscription($c: ID!) { customerTimeline(customerId: $c) { customerId effects { type stage } } }`, { c: customerId });
      await settle(c.client);
      await post(`mutation($c: ID!) { moveCustomer(customerId: $c, journeyKey: "sales", to: "interested") { stage } }`, { c: customerId }, alice.token);
      const change = (await board.next()).data.boardChanged.board.journeys[0];
      expect(change.stages.find((s: { id: string }) => s.id === "interested").customers).toBe(1);
      const update = (await timeline.next()).data.customerTimeline;
      expect(update.customerId).toBe(customerId);
      expect(update.effects).toEqual(expect.arrayContaining([{ type: "stage.entered", stage: "interested" }]));
    } finally {
      await c.client.dispose();
    }
  });

  it("closes a graphql-ws connection with wrong credentials (4403) and rejects subscriptions without any", async () => {
    const bad = wsClient(url, "Bearer sk_wrong_wrong_wrong_wrong");
    const sub = collect(bad.client, FEED);
    expect((await bad.closed).code).toBe(4403);
    await expect(sub.next()).rejects.toBeDefined();
    await bad.client.dispose();
    const anon = wsClient(url);
    try {
      const s = collect(anon.client, FEED);
      expect((await s.next()).errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
    } finally {
      await anon.client.dispose();
    }
  });
});

describe("stopping the server", () => {
  it("closes open sockets, the port and the database it opened itself", async () => {
    const gateway = await createGateway({ databaseUrl: "memory://", adminKey: "sk_stop_test_key_0123456789" });
    const { url } = await gateway.start(0, "127.0.0.1");
    const c = wsClient(url, "Bearer sk_stop_test_key_0123456789");
    const feed = collect(c.client, `subscription { boardChanged { __typename } }`);
    await settle(c.client);
    await gateway.stop();
    expect((await c.closed).code).toBe(1001);
    await expect(feed.next(1_000)).rejects.toBeDefined();
    await expect(fetch(url)).rejects.toThrow();
    await expect(gateway.db.sql.query("SELECT 1")).rejects.toThrow();
    await gateway.stop(); // idempotent
    await c.client.dispose();
  });
});
