import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { DAY, ENROLL, START, UPSERT_JOURNEY, salesJourney } from "../graphql/helpers.js";
import { collect, settle, wsClient } from "../server/helpers.js";
import { type GatewayProcess, type RedisProcess, freePort, startGateway, startRedis } from "./processes.js";

const ADMIN_KEY = "sk_test_redis_outage_admin_key";
const UNREACHABLE = /Redis at \S+ is unreachable/;
const BACK = /Redis at \S+ is back/;

async function call(url: string, query: string, variables?: Record<string, unknown>, authorization = `Bearer ${ADMIN_KEY}`) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors from ${url}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Waits until `sql` counts `n` (the processes under test do the work; this only watches). */
async function until(what: string, read: () => Promise<number>, n: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < deadline) {
    last = await read();
    if (last === n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: expected ${n}, still ${last} after ${timeoutMs} ms`);
}

// Two gateway processes on one PostgreSQL sharing live updates through a private Redis, which is
// killed (SIGKILL) and restarted on the same port. Redis only carries live notices: both processes
// must keep serving and scheduling without it and share notices again once it is back.
describe("a Redis outage", () => {
  let t: TestDatabase;
  let redis: RedisProcess;
  let a: GatewayProcess;
  let b: GatewayProcess;
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    redis = await startRedis();
    a = await startGateway({ DATABASE_URL: t.url, REDIS_URL: redis.url, SOPLINE_ADMIN_KEY: ADMIN_KEY, CLOCK: START });
    b = await startGateway({ DATABASE_URL: t.url, REDIS_URL: redis.url, SOPLINE_ADMIN_KEY: ADMIN_KEY, CLOCK: START });
  }, 120_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await redis?.kill();
    await t?.drop();
  });

  const deliveries = (step: string) => async () => {
    const [row] = await t.db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM deliveries WHERE step_id = $1`, [step]);
    return Number(row!.n);
  };

  it("costs only the live notices while it lasts: both processes keep serving and scheduling, then share updates again", async () => {
    await call(a.url, UPSERT_JOURNEY, { d: salesJourney });
    const alice = (await call(a.url, `mutation { upsertStaff(input: { externalId: "alice", name: "A" }) { id } }`)).upsertStaff.id;
    const bob = (await call(a.url, `mutation { upsertStaff(input: { externalId: "bob", name: "B" }) { id } }`)).upsertStaff.id;
    // a week-long token: the clock jumps a day ahead below, past the default hour
    const token = async (s: string) => (await call(a.url, `mutation($s: ID!) { issueStaffToken(staffId: $s, ttlSeconds: 604800) { token } }`, { s })).issueStaffToken.token as string;
    const onB = wsClient(b.url, `Bearer ${await token(alice)}`);
    const bobOnB = wsClient(b.url, `Bearer ${await token(bob)}`);
    try {
      const feed = collect(onB.client, `subscription { myTaskFeed { task { customerId } } }`);
      await settle(onB.client);
      // Before: a task created on A reaches alice's feed on B.
      const first = (await call(a.url, ENROLL, { c: "before", j: "sales", s: alice })).enroll.customerId;
      expect((await feed.next(10_000)).data.myTaskFeed.task.customerId).toBe(first);

      await redis.kill();
      await a.stderr.waitFor(UNREACHABLE);
      await b.stderr.waitFor(UNREACHABLE);
      // bob subscribes while Redis is away: the subscription must be made once it is back.
      const bobFeed = collect(bobOnB.client, `subscription { myTaskFeed { task { customerId } } }`);
      await settle(bobOnB.client);

      // Publishing mutations on both, during the outage: all succeed.
      for (let i = 0; i < 20; i++) {
        await call(a.url, ENROLL, { c: `a${i}`, j: "sales", s: alice });
        await call(b.url, ENROLL, { c: `b${i}`, j: "sales", s: alice });
      }
      // The scheduler keeps firing on both (day 1 09:30 call tasks, published after each batch).
      await Promise.all([a.setClock(new Date(START.getTime() + 1.1 * DAY)), b.setClock(new Date(START.getTime() + 1.1 * DAY))]);
      await until("call steps fired during the outage", deliveries("call"), 41);
      // ioredis gives up on queued commands after 3 reconnect attempts (< 1 s here); before the
      // fix that rejection ended the process. Go past several more attempts with more publishing.
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 300));
        await call(a.url, ENROLL, { c: `late-a${i}`, j: "sales", s: alice });
        await call(b.url, ENROLL, { c: `late-b${i}`, j: "sales", s: alice });
      }
      expect(a.alive() && b.alive()).toBe(true);
      expect(await call(b.url, `{ journeys { key } }`)).toEqual({ journeys: [{ key: "sales" }] });
      // B's own tasks still reach B's subscriber (delivered in-process while Redis is away).
      const local = await feed.next(10_000);
      expect(local.data.myTaskFeed.task.customerId).toBeTruthy();
      // Logged once per process for the whole outage, not once per publish.
      expect(a.stderr.count(UNREACHABLE)).toBe(1);
      expect(b.stderr.count(UNREACHABLE)).toBe(1);

      // Redis returns on the same port: cross-instance updates resume, old and new subscriptions alike.
      redis = await startRedis(redis.port);
      await a.stderr.waitFor(BACK);
      await b.stderr.waitFor(BACK);
      while (await feed.nothingWithin(300) === false) await feed.next();
      const after = (await call(a.url, ENROLL, { c: "after", j: "sales", s: alice })).enroll.customerId;
      expect((await feed.next(10_000)).data.myTaskFeed.task.customerId).toBe(after);
      const forBob = (await call(a.url, ENROLL, { c: "after-bob", j: "sales", s: bob })).enroll.customerId;
      expect((await bobFeed.next(10_000)).data.myTaskFeed.task.customerId).toBe(forBob);
      expect(a.alive() && b.alive()).toBe(true);
    } finally {
      await onB.client.dispose();
      await bobOnB.client.dispose();
    }
  }, 120_000);

  it("unreachable at start: the gateway serves, schedules and publishes without it, and connects when it appears", async () => {
    const port = await freePort();
    const c = await startGateway({ DATABASE_URL: t.url, REDIS_URL: `redis://127.0.0.1:${port}`, SOPLINE_ADMIN_KEY: ADMIN_KEY, CLOCK: START });
    let late: RedisProcess | undefined;
    try {
      await c.stderr.waitFor(UNREACHABLE);
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 300));
        await call(c.url, ENROLL, { c: `start-${i}`, j: "sales" });
      }
      await c.setClock(new Date(START.getTime() + 2.5 * DAY));
      const articles = async () => {
        const [row] = await t.db.sql.query<{ n: string }>(
          `SELECT count(*) AS n FROM deliveries d JOIN customers c ON c.id = d.customer_id WHERE d.step_id = 'article' AND c.external_id LIKE 'start-%'`,
        );
        return Number(row!.n);
      };
      await until("articles fired by the gateway without Redis", articles, 10);
      expect(c.alive()).toBe(true);
      expect(c.stderr.count(UNREACHABLE)).toBe(1);
      late = await startRedis(port);
      await c.stderr.waitFor(BACK);
      expect(c.alive()).toBe(true);
    } finally {
      await c.stop();
      await late?.kill();
    }
  }, 120_000);
});
