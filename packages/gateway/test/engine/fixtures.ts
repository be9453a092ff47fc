import { createHash, randomBytes } from "node:crypto";
import type { JourneyDefinition } from "@sopline/core";
import type { Database, SqlRunner } from "../../src/db/index.js";

export const SH = "Asia/Shanghai";

/** A journey shaped like the workload: one 8-step stage (+0h, day 1 09:00 … day 60). */
export const eightSteps: JourneyDefinition = {
  id: "eight", version: 1, timezone: SH, entry: "new",
  stages: [
    {
      id: "new",
      sop: [
        { id: "s0", after: "0m", channel: "private_chat", content: "greeting", expireAfter: "6h" },
        { id: "s1", day: 1, at: "09:00", channel: "private_chat", content: "case-1", mode: "task" },
        { id: "s2", day: 2, at: "09:00", channel: "private_chat", content: "c2" },
        { id: "s3", day: 3, at: "09:00", channel: "private_chat", content: "c3" },
        { id: "s7", day: 7, at: "09:00", channel: "call", content: "call", mode: "task" },
        { id: "s14", day: 14, at: "09:00", channel: "private_chat", content: "c14" },
        { id: "s30", day: 30, at: "09:00", channel: "private_chat", content: "c30" },
        { id: "s60", day: 60, at: "09:00", channel: "private_chat", content: "c60" },
      ],
    },
    { id: "interested", sop: [{ id: "trial", after: "1h", channel: "private_chat", content: "trial" }] },
  ],
  transitions: [{ from: "new", to: "interested", on: "demo.attended" }],
};

export interface Seeded {
  workspaceId: string;
  apiKey: string;
  staff: string[];
}

export async function seedWorkspace(db: Database, journeys: JourneyDefinition[] = [eightSteps], settings: Record<string, unknown> = {}): Promise<Seeded> {
  const apiKey = `sk_${randomBytes(8).toString("hex")}`;
  const [ws] = await db.sql.query<{ id: string }>(
    `INSERT INTO workspaces (name, api_key_hash, settings) VALUES ($1, $2, $3::jsonb) RETURNING id`,
    [`ws-${apiKey}`, createHash("sha256").update(apiKey).digest("hex"), JSON.stringify(settings)],
  );
  const workspaceId = ws!.id;
  const staff: string[] = [];
  for (const name of ["amy", "bob"]) {
    const [row] = await db.sql.query<{ id: string }>(`INSERT INTO staff (workspace_id, external_id, name, team) VALUES ($1, $2, $2, 'sales') RETURNING id`, [workspaceId, name]);
    staff.push(row!.id);
  }
  for (const def of journeys) await storeJourney(db.sql, workspaceId, def);
  return { workspaceId, apiKey, staff };
}

export async function storeJourney(sql: SqlRunner, workspaceId: string, def: JourneyDefinition): Promise<void> {
  await sql.execute(`INSERT INTO journeys (workspace_id, key, version, definition) VALUES ($1, $2, $3, $4::jsonb)`, [workspaceId, def.id, def.version, JSON.stringify(def)]);
}

/** Customers c0…c{n-1}, created in one statement. */
export async function seedCustomers(sql: SqlRunner, workspaceId: string, n: number, staffId: string | null = null, prefix = "c"): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `INSERT INTO customers (workspace_id, external_id, staff_id) SELECT $1, $2 || g, $3 FROM generate_series(0, $4::int - 1) g RETURNING id`,
    [workspaceId, prefix, staffId, n],
  );
  return rows.map((r) => r.id);
}

export async function count(sql: SqlRunner, text: string, params: unknown[] = []): Promise<number> {
  const [row] = await sql.query<{ n: string }>(text, params);
  return Number(row!.n);
}
