import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_POSTGRES_ADMIN_URL, type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { enrollCustomers } from "../../src/engine/enroll.js";
import { JourneyRegistry } from "../../src/engine/journey-registry.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { type Seeded, count, seedCustomers, seedWorkspace } from "../engine/fixtures.js";
import { type GatewayProcess, startGateway } from "./processes.js";

const T0 = new Date("2026-11-23T02:00:00Z");
const APP = "sopline_fault_test";
const INGEST = `mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted duplicates rejected { index code message } } }`;

/**
 * Ends every backend of the gateway process under test from a separate admin connection, as a
 * failover, a session timeout or a proxy restart would. Records what each ended backend was doing.
 */
function backendKiller(admin: pg.Client) {
  const states: string[] = [];
  return {
    states,
    async round(): Promise<number> {
      const { rows } = await admin.query<{ state: string | null }>(
        `SELECT state, pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
        [APP],
      );
      for (const r of rows) states.push(r.state ?? "?");
      return rows.length;
    },
    /** Backends ended while a statement ran or a transaction was open. */
    get midWork() {
      return states.filter((s) => s === "active" || s.startsWith("idle in transaction")).length;
    },
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The gateway runs in its own process with Node's defaults: an unhandled 'error' event or
// rejection ends it. Its connections carry application_name so only they are terminated.
describe("PostgreSQL connections terminated under load", () => {
  let t: TestDatabase;
  let seeded: Seeded;
  let gw: GatewayProcess;
  let admin: pg.Client;
  const customers = 3_000;
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    seeded = await seedWorkspace(t.db);
    const ids = await seedCustomers(t.db.sql, seeded.workspaceId, customers, seeded.staff[0]!);
    await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, new JourneyRegistry(), ids.map((id) => ({ workspaceId: seeded.workspaceId, customer: { id }, journeyKey: "eight", staffId: seeded.staff[0]! })), T0, emptyNotices()),
    );
    const url = new URL(t.url);
    url.searchParams.set("application_name", APP);
    gw = await startGateway({ DATABASE_URL: url.toString(), SOPLINE_ADMIN_KEY: "sk_test_pg_fault_admin", CLOCK: T0 });
    admin = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
    await admin.connect();
  }, 180_000);
  afterAll(async () => {
    await admin?.end();
    await gw?.stop();
    await t?.drop();
  });

  it("ingest: requests fail only with a retryable UNAVAILABLE, and retries store every event exactly once", async () => {
    const killer = backendKiller(admin);
    const batches = 60;
    const perBatch = 100;
    const failures: Array<{ status: number; codes: string[] }> = [];
    let done = false;
    let stored = 0;
    const send = async (b: number) => {
      const events = Array.from({ length: perBatch }, (_, i) => ({
        id: `e-${b}-${i}`, customer: `c${(b * perBatch + i) % customers}`, name: "link.clicked", at: new Date(T0.getTime() - 60_000).toISOString(),
      }));
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(gw.url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${seeded.apiKey}` },
          body: JSON.stringify({ query: INGEST, variables: { e: events } }),
        });
        const body = (await res.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> };
        if (!body.errors) {
          expect(body.data.ingestEvents.rejected).toEqual([]);
          stored++;
          return;
        }
        failures.push({ status: res.status, codes: body.errors.map((e) => e.extensions?.code ?? "?") });
        if (attempt > 50) throw new Error(`batch ${b} never went through: ${JSON.stringify(body.errors)}`);
      }
    };
    // Kill every 40-160 ms; after three kills without a batch stored, let one through first: how
    // long a batch takes depends on the machine's load, and faults must land mid-batch, not starve it.
    const killing = (async () => {
      for (let since = stored, kills = 0; !done; ) {
        await killer.round();
        kills = stored === since ? kills + 1 : 0;
        since = stored;
        if (kills >= 3) while (stored === since && !done) await pause(10);
        await pause(40 + Math.random() * 120);
      }
    })();
    const queue = Array.from({ length: batches }, (_, b) => b);
    try {
      await Promise.all(Array.from({ length: 4 }, async () => {
        for (let b = queue.shift(); b !== undefined; b = queue.shift()) await send(b);
      }));
    } finally {
      // A failed send must not leave the killer running into the next test.
      done = true;
      await killing;
    }

    expect(gw.alive()).toBe(true);
    expect(killer.midWork).toBeGreaterThan(0);
    expect(failures.length).toBeGreaterThan(0);
    // Every failure says: retry me.
    expect(failures.filter((f) => f.status !== 503 || f.codes.some((c) => c !== "UNAVAILABLE"))).toEqual([]);
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM events WHERE workspace_id = $1`, [seeded.workspaceId])).toBe(batches * perBatch);
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM events WHERE workspace_id = $1 AND event_id LIKE 'e-%'`, [seeded.workspaceId])).toBe(batches * perBatch);
    console.log(`ingest: ${killer.states.length} backends terminated (${killer.midWork} mid-statement or mid-transaction), ${failures.length} requests failed with UNAVAILABLE and were retried, ${batches * perBatch} events stored once`);
  }, 180_000);

  it("scheduler: batches whose connection is terminated are redone; every step fires exactly once", async () => {
    const killer = backendKiller(admin);
    const stepsPerCustomer = 8;
    const expected = customers * stepsPerCustomer;
    const fired = () => count(t.db.sql, `SELECT count(*) AS n FROM deliveries WHERE workspace_id = $1`, [seeded.workspaceId]);
    const now = new Date(T0.getTime() + 100 * 86_400_000);
    await gw.setClock(now);
    // Kill every 0-300 ms while firing; after three kills without progress, let a batch commit
    // before the next one, so that faults keep landing mid-batch and firing still finishes.
    let rounds = 0;
    const deadline = Date.now() + 150_000;
    for (let last = await fired(), stalled = 0; last < expected; ) {
      if (Date.now() > deadline) throw new Error(`scheduler stuck at ${last} of ${expected} deliveries`);
      await pause(Math.random() * 300);
      await killer.round();
      rounds++;
      const current = await fired();
      stalled = current === last ? stalled + 1 : 0;
      last = current;
      if (stalled >= 3) {
        while ((last = await fired()) === current && Date.now() < deadline) await pause(25);
        stalled = 0;
      }
    }
    expect(gw.alive()).toBe(true);
    expect(rounds).toBeGreaterThan(2);
    expect(killer.midWork).toBeGreaterThan(0);
    // Batches failed and were redone by the next runs.
    expect(gw.stderr.count(/^scheduler: .*failure 1 in a row/)).toBeGreaterThan(0);
    expect(gw.stderr.count(/^scheduler: running again after/)).toBeGreaterThan(0);
    // Exactly once, by the deliveries' primary keys: every expected key, none twice, none missing.
    expect(await fired()).toBe(expected);
    expect(await count(t.db.sql, `SELECT count(DISTINCT key) AS n FROM deliveries WHERE workspace_id = $1`, [seeded.workspaceId])).toBe(expected);
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM (SELECT customer_id FROM deliveries WHERE workspace_id = $1 GROUP BY customer_id HAVING count(*) <> $2) x`, [seeded.workspaceId, stepsPerCustomer])).toBe(0);
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM tasks WHERE workspace_id = $1`, [seeded.workspaceId])).toBe(customers * 2);
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM enrollments WHERE workspace_id = $1 AND next_wake_at <= $2 AND ended_at IS NULL`, [seeded.workspaceId, now])).toBe(0);
    // Still serving.
    const res = await fetch(gw.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${seeded.apiKey}` }, body: JSON.stringify({ query: "{ journeys { key } }" }) });
    expect(((await res.json()) as { data: unknown }).data).toEqual({ journeys: [{ key: "eight" }] });
    console.log(`scheduler: ${rounds} rounds, ${killer.states.length} backends terminated (${killer.midWork} mid-statement or mid-transaction), ${expected} deliveries, 0 duplicates, 0 missing`);
  }, 180_000);
});
