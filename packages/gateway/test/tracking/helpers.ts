// A gateway with tracked links on a test database, served on a local port, with one customer
// whose welcome step (channel "webhook") carries links; the adapter keeps what it was handed.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { JourneyDefinition } from "@sopline/core";
import type { Database } from "../../src/db/index.js";
import type { DeliveryRequest } from "../../src/delivery/types.js";
import { enrollCustomers } from "../../src/engine/enroll.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { type Gateway, createGateway } from "../../src/server/create-gateway.js";
import { SH, seedCustomers, seedWorkspace } from "../engine/fixtures.js";

export const T0 = new Date("2026-11-23T02:00:00Z");
export const PUBLIC_URL = "https://sop.example.com";
export const OA = { appId: "wxoa-track", secret: "oa-track-secret" };

export const readJourney: JourneyDefinition = {
  id: "read-case", version: 1, timezone: SH, entry: "new",
  stages: [
    { id: "new", sop: [{ id: "case", after: "0m", channel: "webhook", content: "case-1" }] },
    { id: "interested", sop: [{ id: "call", after: "1h", channel: "call", content: "call", mode: "task" }] },
  ],
  transitions: [{ from: "new", to: "interested", on: "content.opened" }],
};

export const CASE_BODY = {
  text: "客户案例 https://example.com/case-1 ，试用：",
  attachments: [{ msgtype: "link", link: { title: "Trial", url: "https://example.com/trial?src=sop#top" } }],
};

export interface TrackedFixture {
  gateway: Gateway;
  base: string;
  workspaceId: string;
  apiKey: string;
  customerId: string;
  seen: DeliveryRequest[];
  clock: { now: Date };
  /** The tracked tokens in the delivered body, in link order. */
  tokens(): string[];
  events(name?: string): Promise<Array<{ event_id: string; name: string; data: Record<string, unknown> }>>;
  stage(): Promise<string>;
  close(): Promise<void>;
}

export async function trackedFixture(db: Database, opts: { perMinute?: number; officialAccount?: boolean } = {}): Promise<TrackedFixture> {
  const clock = { now: T0 };
  const seen: DeliveryRequest[] = [];
  const gateway = await createGateway({
    db,
    clock: () => clock.now,
    logger: false,
    channelAdapters: [{ channel: "webhook", deliver: async (d) => (seen.push(d), { status: "sent" }) }],
    tracking: { publicUrl: `${PUBLIC_URL}/`, trustProxy: true, opensPerMinutePerAddress: opts.perMinute ?? 30 },
    ...(opts.officialAccount ? { officialAccount: OA } : {}),
  });
  const seeded = await seedWorkspace(db, [readJourney]);
  const [customerId] = await seedCustomers(db.sql, seeded.workspaceId, 1, seeded.staff[0]!, `tc${Math.random().toString(36).slice(2, 8)}-`);
  await db.sql.execute(`INSERT INTO contents (workspace_id, ref, title, body, type) VALUES ($1, 'case-1', 'Case', $2::jsonb, 'case')`, [seeded.workspaceId, JSON.stringify(CASE_BODY)]);
  await db.sql.transaction((tx) =>
    enrollCustomers(tx, gateway.registry, [{ workspaceId: seeded.workspaceId, customer: { id: customerId! }, journeyKey: readJourney.id, staffId: seeded.staff[0]! }], T0, emptyNotices()),
  );
  const server = http.createServer(gateway.handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    gateway, base, workspaceId: seeded.workspaceId, apiKey: seeded.apiKey, customerId: customerId!, seen, clock,
    tokens() {
      const text = JSON.stringify(seen.at(-1)?.contentBody ?? {});
      return [...text.matchAll(/https:\/\/sop\.example\.com\/t\/([A-Za-z0-9_-]+)/g)].map((m) => m[1]!);
    },
    events: async (name) =>
      (await gateway.tracking!.recorder.idle(), db.sql.query(`SELECT event_id, name, data FROM events WHERE workspace_id = $1 AND ($2::text IS NULL OR name = $2) ORDER BY received_at, event_id`, [seeded.workspaceId, name ?? null])),
    async stage() {
      await gateway.tracking!.recorder.idle();
      const [row] = await db.sql.query<{ stage: string }>(`SELECT stage FROM enrollments WHERE customer_id = $1 AND ended_at IS NULL`, [customerId]);
      return row!.stage;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.stop();
    },
  };
}

/** A beacon as the page sends it (text/plain JSON), from client address `ip`. */
export function beacon(base: string, token: string, kind: string, body: unknown, ip = "203.0.113.7") {
  return fetch(`${base}/t/${token}/${kind}`, { method: "POST", headers: { "content-type": "text/plain", "x-forwarded-for": ip }, body: typeof body === "string" ? body : JSON.stringify(body) });
}
