// Test harness for the GraphQL gateway: one throw-away database per file and kind, a gateway on it
// with an injected clock, and helpers that talk to yoga in-process (no ports, no sleeps).
import type { JourneyDefinition } from "@sopline/core";
import type pg from "pg";
import { createWorkspace } from "../../src/auth/index.js";
import { type TestDatabase, type TestDatabaseKind, createTestDatabase } from "../../src/db/test-databases.js";
import { type Gateway, createGateway } from "../../src/server/create-gateway.js";

export const KINDS: TestDatabaseKind[] = ["pglite", "postgres"];

/** Monday 2026-11-23 09:00 in Asia/Shanghai. */
export const START = new Date("2026-11-23T01:00:00.000Z");
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface GqlResult<T = any> {
  status: number;
  contentType: string | null;
  data: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
  body: any;
}

export interface Harness {
  kind: TestDatabaseKind;
  gateway: Gateway;
  test: TestDatabase;
  clock: { now: Date };
  /** A fresh workspace (tenant) with its own API key. */
  workspace(name?: string): Promise<Tenant>;
  gql<T = any>(credential: string | null, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResult<T>>;
  close(): Promise<void>;
}

export interface Tenant {
  id: string;
  key: string;
  /** GraphQL as this workspace's API key. */
  api<T = any>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
  /** Adds a staff member and returns their id and a staff token. */
  staff(externalId: string, team?: string): Promise<{ id: string; token: string; gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> }>;
}

export async function createHarness(kind: TestDatabaseKind): Promise<Harness> {
  const test = await createTestDatabase(kind);
  const clock = { now: START };
  const gateway = await createGateway({ db: test.db, clock: () => clock.now, adminKey: "sk_test_default_workspace_key" });
  let n = 0;
  const gql = async (credential: string | null, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await gateway.yoga.fetch("http://yoga/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        ...(credential ? { authorization: `Bearer ${credential}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.json();
    return { status: res.status, contentType: res.headers.get("content-type"), data: body.data, errors: body.errors, body };
  };
  const harness: Harness = {
    kind,
    gateway,
    test,
    clock,
    gql,
    async workspace(name = `ws${++n}`) {
      const ws = await createWorkspace(test.db.sql, { name });
      const api = (query: string, variables?: Record<string, unknown>) => gql(ws.apiKey, query, variables);
      return {
        id: ws.id,
        key: ws.apiKey,
        api,
        async staff(externalId: string, team?: string) {
          const s = await api(`mutation($i: StaffInput!) { upsertStaff(input: $i) { id } }`, { i: { externalId, name: externalId, team } });
          const id = s.data.upsertStaff.id as string;
          const t = await api(`mutation($s: ID!) { issueStaffToken(staffId: $s, ttlSeconds: 604800) { token } }`, { s: id });
          const token = t.data.issueStaffToken.token as string;
          return { id, token, gql: (query: string, variables?: Record<string, unknown>) => gql(token, query, variables) };
        },
      };
    },
    async close() {
      await gateway.stop();
      await test.drop();
    },
  };
  return harness;
}

/** Throws with the GraphQL errors when a call failed (so tests read as the happy path). */
export function ok<T>(result: GqlResult<T>): T {
  if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
  return result.data;
}

export function errorCodes(result: GqlResult): string[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

/**
 * A small journey with a chat task on entry, a call task on day 1 09:30, an automatic official-account
 * article on day 2 and a stage change on demo.attended.
 */
export const salesJourney: JourneyDefinition = {
  id: "sales",
  version: 1,
  name: "Sales follow-up",
  timezone: "Asia/Shanghai",
  entry: "new",
  stages: [
    {
      id: "new",
      name: "新客 new",
      kind: "nurture",
      sop: [
        { id: "hello", after: "0m", channel: "private_chat", content: "greeting", mode: "task", title: "Say hello" },
        { id: "call", day: 1, at: "09:30", channel: "call", content: "call-script", mode: "task" },
        { id: "article", day: 2, at: "10:00", channel: "official_account", content: "article-1" },
        { id: "case", day: 5, at: "10:00", channel: "private_chat", content: "case-1" },
      ],
    },
    {
      id: "interested",
      name: "感兴趣 interested",
      onEnter: { addTags: ["mql"] },
      sop: [{ id: "trial", after: "0m", channel: "private_chat", content: "trial-offer" }],
    },
  ],
  transitions: [{ from: "new", to: "interested", on: "demo.attended" }],
};

export const UPSERT_JOURNEY = `mutation($d: JSON!) { upsertJourney(definition: $d) { created journey { id key version } warnings { code path message } } }`;
export const ENROLL = `mutation($c: String!, $j: String!, $s: ID, $p: EnrollProfileInput) {
  enroll(customerExternalId: $c, journeyKey: $j, staffId: $s, profile: $p) { customerId enrollmentId created } }`;

/** Enrolls `count` customers of one staff member; returns their ids. */
export async function enrollMany(tenant: Tenant, staffId: string | null, prefix: string, count: number, journeyKey = "sales"): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = ok(await tenant.api(ENROLL, { c: `${prefix}${i}`, j: journeyKey, s: staffId }));
    ids.push(r.enroll.customerId);
  }
  return ids;
}

/** Counts SQL statements sent through the pool (Prisma and raw SQL alike) while `fn` runs. */
export async function countStatements<T>(pool: pg.Pool, fn: () => Promise<T>): Promise<{ result: T; count: number; statements: string[] }> {
  const statements: string[] = [];
  let active = true;
  const wrapped = new WeakSet<object>();
  const wrap = <C extends pg.PoolClient | undefined>(client: C): C => {
    if (client && !wrapped.has(client)) {
      wrapped.add(client);
      const original = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
        if (active && (client as unknown as { __count?: boolean }).__count !== false) {
          const q = args[0];
          statements.push(typeof q === "string" ? q : String((q as { text?: string })?.text ?? ""));
        }
        return original(...args);
      };
    }
    return client;
  };
  const connect = pool.connect as unknown as (this: pg.Pool, cb?: unknown) => Promise<pg.PoolClient> | undefined;
  (pool as unknown as { connect: unknown }).connect = function (this: pg.Pool, cb?: (err: Error | undefined, client?: pg.PoolClient, done?: unknown) => void) {
    if (cb) return connect.call(this, (err: Error | undefined, client: pg.PoolClient | undefined, done: unknown) => cb(err, wrap(client), done));
    return connect.call(this)!.then(wrap);
  };
  try {
    const result = await fn();
    return { result, count: statements.filter((s) => !/^\s*(BEGIN|COMMIT|ROLLBACK)\b/i.test(s)).length, statements };
  } finally {
    active = false;
    (pool as unknown as { connect: unknown }).connect = connect;
  }
}

export interface Subscription<T = any> {
  /** The next result ({ data, errors }); rejects after `timeoutMs` (the test fails instead of hanging). */
  next(timeoutMs?: number): Promise<{ data?: T; errors?: GqlResult["errors"] }>;
  /** Resolves true when nothing arrives within `ms` (used to prove a filter holds). */
  nothingWithin(ms: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Opens a subscription in-process over yoga's Server-Sent Events transport (no port). Results
 * are queued as they arrive.
 */
export async function subscribeSse<T = any>(h: Harness, credential: string | null, query: string, variables?: Record<string, unknown>): Promise<Subscription<T>> {
  const abort = new AbortController();
  const res = await h.gateway.yoga.fetch("http://yoga/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const queue: Array<{ data?: T; errors?: GqlResult["errors"] }> = [];
  const waiters: Array<() => void> = [];
  let ended = false;
  void (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
          if (event === "next" && data) queue.push(JSON.parse(data));
          if (event === "complete") ended = true;
          waiters.splice(0).forEach((w) => w());
        }
      }
    } catch {
      // aborted
    } finally {
      ended = true;
      waiters.splice(0).forEach((w) => w());
    }
  })();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  return {
    async next(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (ended) throw new Error("subscription ended");
        if (Date.now() > deadline) throw new Error("no subscription result in time");
        await wait(deadline - Date.now());
      }
      return queue.shift()!;
    },
    async nothingWithin(ms) {
      if (queue.length > 0) return false;
      await wait(ms);
      return queue.length === 0;
    },
    async close() {
      abort.abort();
    },
  };
}
