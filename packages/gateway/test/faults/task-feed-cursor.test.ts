import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { ENROLL, START, UPSERT_JOURNEY, salesJourney } from "../graphql/helpers.js";
import { type GatewayProcess, startGateway } from "./processes.js";

// tasksSince(seq) is the feed's catch-up: a client resumes from the largest seq it has seen. That is
// only safe when seq order is commit order; numbers taken at insert time let a slow transaction
// commit a smaller seq after a larger one was read, and the resuming client skips it for good.

const ADMIN_KEY = "sk_test_task_feed_cursor_admin_key";

async function call(url: string, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors from ${url}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const SINCE = `query($s: String!) { tasksSince(seq: $s, first: 500) { id seq } }`;

/** A client of the feed: resumes from the largest seq it saw, as @sopline/client does. */
function follower(url: string) {
  const seen = new Set<string>();
  let cursor = 0n;
  return {
    seen,
    async poll(): Promise<number> {
      const { tasksSince } = (await call(url, SINCE, { s: cursor.toString() })) as { tasksSince: { id: string; seq: string }[] };
      for (const t of tasksSince) {
        seen.add(t.id);
        if (BigInt(t.seq) > cursor) cursor = BigInt(t.seq);
      }
      return tasksSince.length;
    },
  };
}

describe("the task feed's cursor (PostgreSQL)", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("numbers a task when it commits: one inserted first but committed last is still after the cursor", async () => {
    const [ws] = await t.db.sql.query<{ id: string }>(`INSERT INTO workspaces (name, api_key_hash) VALUES ('w', 'x') RETURNING id`);
    const [staff] = await t.db.sql.query<{ id: string }>(`INSERT INTO staff (workspace_id, external_id, name) VALUES ($1, 's', 's') RETURNING id`, [ws!.id]);
    const [customer] = await t.db.sql.query<{ id: string }>(`INSERT INTO customers (workspace_id, external_id) VALUES ($1, 'c') RETURNING id`, [ws!.id]);
    const insert = `INSERT INTO tasks (workspace_id, staff_id, customer_id, kind, title, due_at) VALUES ($1, $2, $3, 'chat', $4, now()) RETURNING id, seq`;
    const args = (title: string) => [ws!.id, staff!.id, customer!.id, title];
    const slow = new pg.Client({ connectionString: t.url });
    const fast = new pg.Client({ connectionString: t.url });
    await slow.connect();
    await fast.connect();
    try {
      await slow.query("BEGIN");
      const first = (await slow.query(insert, args("inserted first"))).rows[0];
      expect(first.seq).toBeNull(); // no number inside its transaction
      await fast.query(insert, args("committed first")); // autocommit
      const read1 = await t.db.sql.query<{ title: string; seq: string }>(`SELECT title, seq::text AS seq FROM tasks WHERE seq > 0 ORDER BY seq`);
      expect(read1.map((r) => r.title)).toEqual(["committed first"]);
      await slow.query("COMMIT");
      // a reader resuming after the largest seq it saw gets the slow one
      const read2 = await t.db.sql.query<{ title: string }>(`SELECT title FROM tasks WHERE seq > $1 ORDER BY seq`, [read1[0]!.seq]);
      expect(read2.map((r) => r.title)).toEqual(["inserted first"]);
      // a rolled-back task takes no number and is never seen
      await slow.query("BEGIN");
      await slow.query(insert, args("rolled back"));
      await slow.query("ROLLBACK");
      expect(await t.db.sql.query(`SELECT title FROM tasks WHERE seq IS NULL OR title = 'rolled back'`)).toEqual([]);
    } finally {
      await slow.end();
      await fast.end();
    }
  });

  describe("three gateways creating tasks at once", () => {
    let gateways: GatewayProcess[] = [];
    let t: TestDatabase; // its own: the gateways create the first workspace with ADMIN_KEY
    beforeAll(async () => {
      t = await createTestDatabase("postgres");
      for (let i = 0; i < 3; i++) gateways.push(await startGateway({ DATABASE_URL: t.url, SOPLINE_ADMIN_KEY: ADMIN_KEY, CLOCK: START }));
    }, 120_000);
    afterAll(async () => {
      await Promise.all(gateways.map((g) => g.stop()));
      gateways = [];
      await t?.drop();
    });

    it("a client resuming from the largest seq it saw misses none of them", async () => {
      const [a] = gateways as [GatewayProcess];
      await call(a.url, UPSERT_JOURNEY, { d: { ...salesJourney, id: "feed" } });
      const staffId = (await call(a.url, `mutation { upsertStaff(input: { externalId: "rep", name: "Rep" }) { id } }`)).upsertStaff.id;
      const reader = follower(a.url);
      let writing = true;
      // Each enrollment creates its "hello" task in its own transaction; 8 writers per gateway.
      const PER_WRITER = 25;
      const writers = gateways.flatMap((g, gi) =>
        Array.from({ length: 8 }, async (_, wi) => {
          for (let i = 0; i < PER_WRITER; i++) await call(g.url, ENROLL, { c: `g${gi}-w${wi}-${i}`, j: "feed", s: staffId });
        }),
      );
      const reading = (async () => {
        while (writing) await reader.poll();
      })();
      await Promise.all(writers);
      writing = false;
      await reading;
      while ((await reader.poll()) > 0);

      const all = await t.db.sql.query<{ id: string }>(`SELECT t.id FROM tasks t JOIN customers c ON c.id = t.customer_id WHERE c.external_id LIKE 'g%-w%'`);
      expect(all).toHaveLength(3 * 8 * PER_WRITER);
      const missed = all.filter((r) => !reader.seen.has(r.id));
      expect(missed).toEqual([]);
    }, 180_000);
  });
});
