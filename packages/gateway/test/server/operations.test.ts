// Operations: /healthz, /readyz, /metrics, request ids, the body limit for chunked bodies, who may
// introspect, and the graceful stop with requests in flight.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createWorkspace } from "../../src/auth/index.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { readMigrations } from "../../src/db/index.js";
import { createReadinessCheck } from "../../src/ops/health.js";
import { type Gateway, createGateway } from "../../src/server/create-gateway.js";
import { ENROLL, HOUR, START, UPSERT_JOURNEY, salesJourney } from "../graphql/helpers.js";

const json = { "content-type": "application/json" };

/** A pino logger whose records the test can read. */
function capturedLogger(level = "debug") {
  const records: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString().split("\n")) if (line) records.push(JSON.parse(line));
      waiters.splice(0).forEach((w) => w());
      done();
    },
  });
  const until = async (test: () => boolean) => {
    while (!test()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { logger: pino({ level }, stream), records, until };
}

/** A raw HTTP/1.1 request with a chunked body (no content-length): what fetch cannot send on purpose. */
function postChunked(url: string, chunks: Buffer[], headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { ...json, "transfer-encoding": "chunked", ...headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d)).on("end", () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe("gateway operations (embedded PGlite)", () => {
  let t: TestDatabase;
  let gateway: Gateway;
  let url: string;
  let base: string;
  const clock = { now: START };
  let key: string;

  const gql = async (query: string, variables?: Record<string, unknown>, authorization: string | null = `Bearer ${key}`) => {
    const res = await fetch(url, { method: "POST", headers: { ...json, ...(authorization ? { authorization } : {}) }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions: { code: string } }> };
  };

  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    gateway = await createGateway({ db: t.db, clock: () => clock.now, schedulerIntervalMs: 3_600_000, metricsToken: "metrics-secret", readiness: { maxLagSeconds: 300 }, logger: false });
    const started = await gateway.start(0, "127.0.0.1");
    url = started.url;
    base = url.replace(/\/graphql$/, "");
    // the generated admin key comes back from start(), so an embedding app can keep it
    expect(started.adminKey).toBe(gateway.adminKey);
    expect(started.adminKey).toMatch(/^sk_/);
    key = gateway.adminKey!;
    expect((await gql(UPSERT_JOURNEY, { d: salesJourney })).errors).toBeUndefined();
  });
  afterAll(async () => {
    await gateway?.stop();
    await t?.drop();
  });

  it("answers /healthz, and /readyz with every check; a scheduler behind by more than the threshold is not ready", async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ready",
      reasons: [],
      checks: { database: "ok", migrations: "ok", scheduler: "running", schedulerLagSeconds: 0, redis: "disabled" },
    });
    // a customer whose day-1 step is due, and a clock that moved on without the scheduler running
    expect((await gql(ENROLL, { c: "lagging", j: "sales" })).errors).toBeUndefined();
    await gateway.scheduler.runOnce(clock.now);
    clock.now = new Date(START.getTime() + 3 * 24 * HOUR);
    const behind = await fetch(`${base}/readyz`);
    expect(behind.status).toBe(503);
    const body = (await behind.json()) as { status: string; reasons: string[]; checks: { schedulerLagSeconds: number } };
    expect(body.status).toBe("unavailable");
    expect(body.reasons).toEqual([expect.stringMatching(/^scheduler: \d+ s behind \(at most 300 s\)$/)]);
    expect(body.checks.schedulerLagSeconds).toBeGreaterThan(300);
    await gateway.scheduler.runOnce(clock.now);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it("/readyz never hangs: a database that does not answer is reported within the timeout", async () => {
    const check = createReadinessCheck(
      { db: t.db, clock: () => clock.now, schedulerRunning: () => true, redisStatus: () => "disconnected", stopping: () => false },
      { timeoutMs: 200 },
    );
    let release!: () => void;
    // PGlite has one connection: a transaction holding it makes every other query wait
    const holding = t.db.sql.transaction(() => new Promise<void>((resolve) => (release = resolve)));
    try {
      const r = await check();
      expect(r.status).toBe("unavailable");
      expect(r.checks.database).toBe("error");
      expect(r.reasons).toEqual(["database: database: no answer within 200 ms", "redis: disconnected (live updates across instances paused)"]);
    } finally {
      release();
      await holding;
    }
    // Redis down alone: degraded, still ready (it only carries live updates)
    const degraded = await check();
    expect(degraded).toMatchObject({ status: "degraded", reasons: ["redis: disconnected (live updates across instances paused)"] });
  });

  it("/readyz reports migrations the database lacks", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sopline-migrations-"));
    try {
      for (const m of readMigrations()) {
        fs.mkdirSync(path.join(dir, m.name));
        fs.writeFileSync(path.join(dir, m.name, "migration.sql"), m.sql);
      }
      fs.mkdirSync(path.join(dir, "29990101000000_future"));
      fs.writeFileSync(path.join(dir, "29990101000000_future", "migration.sql"), "SELECT 1;");
      const check = createReadinessCheck({ db: t.db, clock: () => clock.now, schedulerRunning: () => true, redisStatus: () => "disabled", stopping: () => false }, { migrationsDir: dir });
      expect(await check()).toMatchObject({ status: "unavailable", reasons: ["migrations not applied: 29990101000000_future"], checks: { migrations: "pending" } });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves Prometheus metrics to the admin key or the metrics token only", async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const other = await createWorkspace(t.db.sql, { name: "tenant" });
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${other.apiKey}` } })).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: "Bearer metrics-secret" } })).status).toBe(200);

    const now = clock.now.toISOString();
    const events = [
      { id: "m-1", customer: "lagging", name: "message.replied", at: now },
      { id: "m-1", customer: "lagging", name: "message.replied", at: now },
      { id: "m-2", customer: "nobody-knows", name: "message.replied", at: now },
    ];
    expect((await gql(`mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted duplicates } }`, { e: events })).data.ingestEvents).toEqual({ accepted: 1, duplicates: 1 });
    const staffId = (await gql(`mutation { upsertStaff(input: { externalId: "s1", name: "s1" }) { id } }`)).data.upsertStaff.id;
    expect((await gql(ENROLL, { c: "fresh", j: "sales", s: staffId })).errors).toBeUndefined();
    clock.now = new Date(clock.now.getTime() + 3 * 24 * HOUR);
    await gateway.scheduler.runOnce(clock.now);

    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}"=,.]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);
    // call (day 1) and article (day 2) of each customer, fired by the scheduler ("hello" fired at enroll)
    expect(value(`sopline_steps_fired_total{journey="sales",channel="call"}`)).toBe(2);
    expect(value(`sopline_steps_fired_total{journey="sales",channel="official_account"}`)).toBe(2);
    expect(value(`sopline_events_ingested_total{outcome="accepted"}`)).toBe(1);
    expect(value(`sopline_events_ingested_total{outcome="duplicate"}`)).toBe(1);
    expect(value(`sopline_events_ingested_total{outcome="rejected"}`)).toBe(1);
    expect(value(`sopline_scheduler_lag_seconds`)).toBe(0);
    const [open] = await t.db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE status = 'open'`);
    expect(Number(open!.n)).toBe(2); // hello and call of the customer with a staff member
    expect(value(`sopline_open_tasks`)).toBe(2);
    expect(value(`sopline_db_pool_in_use`)).toBeGreaterThanOrEqual(0);
    expect(value(`sopline_scheduler_batch_duration_seconds_count`)).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).not.toMatch(/^sopline_redis_connected /m); // no Redis configured
  });

  it("counts delivery outcomes by channel, outcome and provider code; two gateways in one process keep their own registries", async () => {
    const u = await createTestDatabase("pglite");
    const failing = { channel: "official_account", deliver: async () => Promise.reject(Object.assign(new Error("api unauthorized"), { code: "48001", permanent: true })) };
    const g = await createGateway({ db: u.db, clock: () => START, logger: false, channelAdapters: [failing] });
    try {
      const api = (query: string, variables: Record<string, unknown>) =>
        g.yoga.fetch("http://gateway/graphql", { method: "POST", headers: { ...json, authorization: `Bearer ${g.adminKey}` }, body: JSON.stringify({ query, variables }) });
      await api(UPSERT_JOURNEY, { d: salesJourney });
      await api(ENROLL, { c: "d1", j: "sales" });
      const later = new Date(START.getTime() + 3 * 24 * HOUR);
      await g.scheduler.runOnce(later);
      await g.channels.deliveryWorker.runOnce(later);
      const text = await g.metrics.registry.metrics();
      expect(text).toMatch(/^sopline_deliveries_total\{channel="official_account",outcome="failed",provider_code="48001"\} 1$/m);
      // the first gateway's counters are untouched
      expect(await gateway.metrics.registry.metrics()).not.toMatch(/sopline_deliveries_total\{/);
    } finally {
      await g.stop();
      await u.drop();
    }
  });

  it("gives every request an id (the caller's x-request-id is kept) and returns it", async () => {
    const mine = await fetch(url, { method: "POST", headers: { ...json, "x-request-id": "req-42" }, body: JSON.stringify({ query: "{ __typename }" }) });
    expect(mine.headers.get("x-request-id")).toBe("req-42");
    const generated = await fetch(`${base}/healthz`);
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses a chunked body over 2 MB with 413 LIMIT, and takes a small chunked one", async () => {
    const small = await postChunked(url, [Buffer.from('{"query":'), Buffer.from('"{ __typename }"}')]);
    expect(small.status).toBe(200);
    expect(JSON.parse(small.body)).toEqual({ data: { __typename: "Query" } });
    const mb = Buffer.alloc(1024 * 1024, "x");
    const big = await postChunked(url, [Buffer.from('{"query":"{ __typename }","pad":"'), ...Array.from({ length: 10 }, () => mb), Buffer.from('"}')]);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toEqual({
      errors: [{ message: `request body: at most ${2 * 1024 * 1024} bytes allowed`, extensions: { code: "LIMIT", field: "body", limit: 2 * 1024 * 1024 } }],
    });
    // the webhook too
    const hook = await postChunked(`${base}/webhooks/events`, [Buffer.from('{"events":[],"pad":"'), ...Array.from({ length: 10 }, () => mb), Buffer.from('"}')], { authorization: `Bearer ${key}` });
    expect(hook.status).toBe(413);
  });

  it("answers introspection to callers with credentials only", async () => {
    const anonymous = await gql(`{ __schema { queryType { name } } }`, {}, null);
    expect(anonymous.errors).toEqual([
      expect.objectContaining({ message: 'introspection needs credentials: send "Authorization: Bearer <API key or staff token>"', extensions: { code: "UNAUTHENTICATED" } }),
    ]);
    expect((await gql(`query { __type(name: "Query") { name } }`, {}, "Bearer sk_wrong")).errors?.[0]?.extensions.code).toBe("UNAUTHENTICATED");
    expect((await gql(`{ __schema { queryType { name } } }`)).data).toEqual({ __schema: { queryType: { name: "Query" } } });
    expect((await gql(`{ __typename }`, {}, null)).data).toEqual({ __typename: "Query" });
  });
});

describe("under NODE_ENV=production", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("serves neither GraphiQL nor introspection unless enabled", async () => {
    vi.stubEnv("NODE_ENV", "production");
    const t = await createTestDatabase("pglite");
    const off = await createGateway({ db: t.db, logger: false });
    const on = await createGateway({ db: t.db, logger: false, graphiql: true, introspection: "authenticated" });
    try {
      const auth = { authorization: `Bearer ${off.adminKey}` };
      const page = await off.yoga.fetch("http://gateway/graphql", { headers: { accept: "text/html" } });
      expect(await page.text()).not.toMatch(/graphiql/i);
      const intro = await off.yoga.fetch("http://gateway/graphql", { method: "POST", headers: { ...json, ...auth }, body: JSON.stringify({ query: "{ __schema { queryType { name } } }" }) });
      expect(((await intro.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toMatch(/^introspection is disabled on this gateway \(NODE_ENV=production\)/);
      const page2 = await on.yoga.fetch("http://gateway/graphql", { headers: { accept: "text/html" } });
      expect(await page2.text()).toMatch(/graphiql/i);
      const intro2 = await on.yoga.fetch("http://gateway/graphql", { method: "POST", headers: { ...json, ...auth }, body: JSON.stringify({ query: "{ __schema { queryType { name } } }" }) });
      expect(await intro2.json()).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
      vi.stubEnv("SOPLINE_INTROSPECTION", "sometimes");
      await expect(createGateway({ db: t.db, logger: false })).rejects.toThrow('SOPLINE_INTROSPECTION: expected authenticated, public or off, got "sometimes"');
    } finally {
      await off.stop();
      await on.stop();
      await t.drop();
    }
  });
});

describe("logs", () => {
  it("reports scheduler failures by default, as JSON records with a level and component, and still through the old log callback", async () => {
    const t = await createTestDatabase("pglite");
    const log = capturedLogger("info");
    const lines: string[] = [];
    const g = await createGateway({ db: t.db, logger: log.logger, schedulerIntervalMs: 3_600_000 });
    const old = await createGateway({ db: t.db, log: (line) => lines.push(line), schedulerIntervalMs: 3_600_000 });
    try {
      await t.db.sql.execute(`ALTER TABLE enrollments RENAME TO enrollments_gone`);
      g.startWorkers();
      old.startWorkers();
      await log.until(() => log.records.some((r) => r.component === "scheduler"));
      expect(log.records.find((r) => r.component === "scheduler")).toMatchObject({ level: 50, msg: expect.stringMatching(/^scheduler: relation "enrollments" does not exist/) });
      await vi.waitFor(() => expect(lines).toContainEqual(expect.stringMatching(/^scheduler: relation "enrollments" does not exist/)));
    } finally {
      await g.stop();
      await old.stop();
      await t.db.sql.execute(`ALTER TABLE enrollments_gone RENAME TO enrollments`);
      await t.drop();
    }
  });
});

describe("graceful stop", () => {
  it("lets three 1,000-event ingestEvents requests in flight finish, refuses new ones with 503 + Retry-After, and applies each batch whole or not at all", async () => {
    const t = await createTestDatabase("pglite");
    const log = capturedLogger();
    const gateway = await createGateway({ db: t.db, clock: () => START, logger: log.logger, shutdownTimeoutMs: 30_000 });
    const { url } = await gateway.start(0, "127.0.0.1");
    const auth = { authorization: `Bearer ${gateway.adminKey}` };
    const call = (query: string, variables: Record<string, unknown>) => fetch(url, { method: "POST", headers: { ...json, ...auth }, body: JSON.stringify({ query, variables }) });
    try {
      await call(UPSERT_JOURNEY, { d: salesJourney });
      for (const c of ["a", "b", "c"]) await call(ENROLL, { c, j: "sales" });
      const batch = (c: string) => Array.from({ length: 1_000 }, (_, i) => ({ id: `${c}-${i}`, customer: c, name: "link.clicked", at: START.toISOString() }));
      const received = () => log.records.filter((r) => r.msg === "request received").length;
      const before = received();
      const inFlight = ["a", "b", "c"].map((c) => call(`mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }`, { e: batch(c) }));
      await log.until(() => received() === before + 3);
      const stopped = gateway.stop();
      const late = await fetch(`${url.replace(/\/graphql$/, "")}/healthz`).catch((err: Error) => err);
      const responses = await Promise.all(inFlight);
      await stopped;

      // a request after the stop began is refused (or its connection is, the port being closed): never accepted half-way
      if (!(late instanceof Error)) {
        expect(late.status).toBe(503);
        expect(late.headers.get("retry-after")).toBe("5");
      }
      for (const [i, res] of responses.entries()) {
        const c = ["a", "b", "c"][i]!;
        const [{ n }] = await t.db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE event_id LIKE $1`, [`${c}-%`]).then((r) => r as [{ n: string }]);
        if (res.status === 200) {
          expect(await res.json()).toEqual({ data: { ingestEvents: { accepted: 1_000 } } });
          expect(Number(n)).toBe(1_000);
        } else {
          expect(res.status).toBe(503);
          expect(res.headers.get("retry-after")).toBe("5");
          expect(Number(n)).toBe(0);
        }
      }
      // in flight when the stop began: all three finish
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    } finally {
      await gateway.stop();
      await t.drop();
    }
  });
});
