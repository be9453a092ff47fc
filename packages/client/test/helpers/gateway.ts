/**
 * A REAL gateway for client tests: createGateway on in-memory PGlite, listening on a free port,
 * as a disposable resource (`await using gw = await startGateway()`), tRPC's fixture style.
 * Each test takes its own workspace (`gw.workspace()`), so tests in a file share one database.
 */
import type { JourneyDefinition } from "@sopline/core";
import { createGateway, createWorkspace, type Gateway } from "@sopline/gateway";
import WebSocket from "ws";
import { createClient, type ClientOptions, type SoplineClient } from "../../src/index.js";

/** A journey whose entry creates a chat task at once and makes an official-account article due. */
export const feedJourney: JourneyDefinition = {
  id: "feed",
  version: 1,
  name: "Task feed test",
  timezone: "Asia/Shanghai",
  entry: "new",
  stages: [
    {
      id: "new",
      name: "新客 new",
      kind: "nurture",
      sop: [
        { id: "hello", after: "0m", channel: "private_chat", content: "greeting", mode: "task", title: "Say hello" },
        { id: "article", after: "0m", channel: "official_account", content: "article-1" },
      ],
    },
    { id: "interested", name: "感兴趣 interested", sop: [{ id: "call", after: "0m", channel: "call", content: "call-script", mode: "task" }] },
  ],
  transitions: [{ from: "new", to: "interested", on: "demo.attended" }],
};

/** One tenant of the test gateway. */
export interface TestWorkspace {
  id: string;
  apiKey: string;
  /** A Node client (fetch + ws) with the workspace's API key. */
  admin: SoplineClient;
  /** A Node client with other options (e.g. a staff token). */
  client(options?: Partial<ClientOptions>): SoplineClient;
  /** Creates a staff member and signs a 30-day token for them. */
  staff(externalId: string): Promise<{ id: string; token: string }>;
}

export interface GatewayFixture extends AsyncDisposable {
  gateway: Gateway;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** A fresh workspace with `feedJourney` loaded. */
  workspace(): Promise<TestWorkspace>;
}

let workspaces = 0;

export async function startGateway(): Promise<GatewayFixture> {
  const gateway = await createGateway({ databaseUrl: "memory://", graphiql: false });
  const { port } = await gateway.start(0, "127.0.0.1");
  const url = `http://127.0.0.1:${port}/graphql`;
  const clients: SoplineClient[] = [];
  const track = (c: SoplineClient) => (clients.push(c), c);

  return {
    gateway,
    url,
    async workspace() {
      const { id, apiKey } = await createWorkspace(gateway.db.sql, { name: `client-test-${++workspaces}` });
      const client = (options: Partial<ClientOptions> = {}) => track(createClient({ url, token: apiKey, webSocketImpl: WebSocket, ...options }));
      const admin = client();
      await admin.upsertJourney(feedJourney);
      return {
        id,
        apiKey,
        admin,
        client,
        async staff(externalId) {
          const staff = await admin.upsertStaff({ externalId, name: externalId });
          const { token } = await admin.issueStaffToken(staff.id, 7 * 86_400);
          return { id: staff.id, token };
        },
      };
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(clients.map((c) => c.dispose()));
      await gateway.stop();
    },
  };
}
