// Embedding sopline in an existing system: mounted on the application's own HTTP server beside its
// routes, and in its own PostgreSQL schema beside the application's tables.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { type Gateway, createGateway } from "../../src/server/create-gateway.js";
import { ENROLL, START, UPSERT_JOURNEY, salesJourney } from "../graphql/helpers.js";
import { collect, settle, wsClient } from "./helpers.js";

const json = { "content-type": "application/json" };

describe("gateway.handler and gateway.attachWebSocket on an application's server", () => {
  let t: TestDatabase;
  let gateway: Gateway;
  let app: http.Server;
  let base: string;
  const clock = { now: START };

  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    gateway = await createGateway({ db: t.db, clock: () => clock.now, schedulerIntervalMs: 3_600_000, logger: false });
    // the application: its own route, its own WebSocket path, sopline everywhere else
    app = http.createServer((req, res) => {
      if (req.url === "/hello") return void res.end("hello from the app");
      gateway.handler(req, res);
    });
    const appSockets = new WebSocketServer({ noServer: true });
    app.on("upgrade", (req, socket, head) => {
      if (req.url === "/app-socket") appSockets.handleUpgrade(req, socket, head, (ws) => ws.send("app socket"));
    });
    gateway.attachWebSocket(app);
    gateway.startWorkers();
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await gateway?.stop();
    await new Promise((resolve) => app?.close(resolve));
    await t?.drop();
  });

  it("serves GraphQL, the health routes and subscriptions beside the application's own routes, and stops without closing its server", async () => {
    expect(await (await fetch(`${base}/hello`)).text()).toBe("hello from the app");
    const auth = { authorization: `Bearer ${gateway.adminKey}` };
    const upsert = await fetch(`${base}/graphql`, { method: "POST", headers: { ...json, ...auth }, body: JSON.stringify({ query: UPSERT_JOURNEY, variables: { d: salesJourney } }) });
    expect(((await upsert.json()) as { data: unknown }).data).toBeTruthy();
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // the application's socket still works next to graphql-ws
    const appSocket = new WebSocket(`${base.replace("http", "ws")}/app-socket`);
    expect(await new Promise((resolve) => appSocket.once("message", (m) => resolve(String(m))))).toBe("app socket");
    appSocket.close();

    const { client, closed } = wsClient(`${base}/graphql`, `Bearer ${gateway.adminKey}`);
    const board = collect(client, `subscription { boardChanged { __typename } }`);
    await settle(client);
    await fetch(`${base}/graphql`, { method: "POST", headers: { ...json, ...auth }, body: JSON.stringify({ query: ENROLL, variables: { c: "c1", j: "sales" } }) });
    expect((await board.next()).data).toEqual({ boardChanged: { __typename: "BoardChanged" } });

    await gateway.stop();
    // subscribers learn the server is going away (1001), not that it broke
    expect((await closed).code).toBe(1001);
    // the application keeps serving; sopline's routes say it is gone, and when to retry
    expect(await (await fetch(`${base}/hello`)).text()).toBe("hello from the app");
    const after = await fetch(`${base}/graphql`, { method: "POST", headers: { ...json, ...auth }, body: JSON.stringify({ query: "{ __typename }" }) });
    expect(after.status).toBe(503);
    expect(after.headers.get("retry-after")).toBe("5");
    expect(await after.json()).toEqual({ errors: [{ message: "the gateway is shutting down: retry in a moment (another instance may answer)", extensions: { code: "UNAVAILABLE" } }] });
    await client.dispose();
  });
});

describe("?schema= in DATABASE_URL (PostgreSQL)", () => {
  it("puts sopline's tables in that schema (created when missing) and leaves the application's public.customers alone", async () => {
    const t = await createTestDatabase("postgres", { open: { migrate: "skip" } });
    await t.db.sql.execute(`CREATE TABLE public.customers (id serial PRIMARY KEY, email text NOT NULL)`);
    await t.db.sql.execute(`INSERT INTO public.customers (email) VALUES ('own@app.example')`);
    const url = new URL(t.url);
    url.searchParams.set("schema", "sopline");
    const gateway = await createGateway({ databaseUrl: url.toString(), clock: () => START, logger: false });
    try {
      // Prisma (upsertJourney, enroll) and raw SQL (enroll, scheduler) both work in the schema
      const api = async (query: string, variables: Record<string, unknown>) => {
        const res = await gateway.yoga.fetch("http://gateway/graphql", { method: "POST", headers: { ...json, authorization: `Bearer ${gateway.adminKey}` }, body: JSON.stringify({ query, variables }) });
        const body = (await res.json()) as { data?: any; errors?: unknown };
        expect(body.errors).toBeUndefined();
        return body.data;
      };
      await api(UPSERT_JOURNEY, { d: salesJourney });
      expect((await api(ENROLL, { c: "c1", j: "sales" })).enroll.created).toBe(true);
      await gateway.scheduler.runOnce(new Date(START.getTime() + 3 * 86_400_000));

      const tables = async (schema: string) =>
        (await t.db.sql.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])).map((r) => r.table_name);
      expect(await tables("public")).toEqual(["customers"]);
      expect(await tables("sopline")).toEqual(expect.arrayContaining(["_prisma_migrations", "customers", "deliveries", "enrollments", "events", "staff", "workspaces"]));
      expect(await t.db.sql.query(`SELECT id, email FROM public.customers`)).toEqual([{ id: 1, email: "own@app.example" }]);
      expect(await t.db.sql.query(`SELECT external_id FROM sopline.customers`)).toEqual([{ external_id: "c1" }]);
      const [fired] = await t.db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM sopline.deliveries`);
      expect(Number(fired!.n)).toBeGreaterThanOrEqual(3);
    } finally {
      await gateway.stop();
      await t.drop();
    }
  });

  it("rejects a schema name that is not a plain identifier, naming the parameter", async () => {
    await expect(createGateway({ databaseUrl: "postgres://127.0.0.1:5432/test?schema=a;drop", logger: false })).rejects.toThrow(
      'DATABASE_URL: ?schema= expects a lower-case PostgreSQL identifier (letters, digits, _), got "a;drop"',
    );
  });
});

