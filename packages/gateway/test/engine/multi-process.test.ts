import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { enrollCustomers } from "../../src/engine/enroll.js";
import { JourneyRegistry } from "../../src/engine/journey-registry.js";
import { emptyNotices } from "../../src/engine/persist-advances.js";
import { count, seedCustomers, seedWorkspace } from "./fixtures.js";

const run = promisify(execFile);
const worker = fileURLToPath(new URL("./scheduler-worker.ts", import.meta.url));
const T0 = new Date("2026-11-23T02:00:00Z");

/** Starts `n` worker processes, lets them all claim at once when every one is ready, returns their stdout. */
async function startTogether(n: number, args: string[]): Promise<string[]> {
  const children = Array.from({ length: n }, () =>
    spawn(process.execPath, ["--import", "tsx", ...args], { env: { ...process.env, SOPLINE_WAIT_FOR_GO: "1" }, stdio: ["pipe", "pipe", "pipe"] }),
  );
  const ready = children.map((c) => new Promise<void>((resolve, reject) => {
    let err = "";
    c.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes("ready")) resolve();
    });
    c.once("exit", (code) => reject(new Error(`worker exited (${code}) before it was ready: ${err}`)));
  }));
  const done = children.map((c) => new Promise<string>((resolve, reject) => {
    let out = "";
    c.stdout.on("data", (d: Buffer) => (out += d.toString()));
    c.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`worker exited with ${code}`))));
  }));
  await Promise.all(ready);
  for (const c of children) c.stdin.end("go\n");
  return Promise.all(done);
}

// PostgreSQL only: PGlite lives inside one process by design (its directory is locked).
describe("schedulers in several processes on PostgreSQL", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("share the due enrollments and never fire a step twice", async () => {
    const seeded = await seedWorkspace(t.db);
    const ids = await seedCustomers(t.db.sql, seeded.workspaceId, 400, seeded.staff[0]!);
    await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, new JourneyRegistry(), ids.map((id) => ({ workspaceId: seeded.workspaceId, customer: { id }, journeyKey: "eight", staffId: seeded.staff[0]! })), T0, emptyNotices()),
    );
    const at = new Date(T0.getTime() + 100 * 86_400_000).toISOString();
    const outputs = await startTogether(3, [worker, t.url, at]);
    const stats = outputs.map((out) => JSON.parse(out) as { enrollments: number; fired: number });
    // Everyone fired something: the work was shared, not done by one process while others waited.
    expect(stats.filter((s) => s.enrollments > 0).length).toBeGreaterThanOrEqual(2);
    expect(stats.reduce((n, s) => n + s.fired, 0)).toBe(400 * 7);
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM deliveries WHERE workspace_id = $1`, [seeded.workspaceId])).toBe(400 * 8);
    expect(await count(t.db.sql, `SELECT count(DISTINCT key) AS n FROM deliveries WHERE workspace_id = $1`, [seeded.workspaceId])).toBe(400 * 8);
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM tasks WHERE workspace_id = $1`, [seeded.workspaceId])).toBe(400 * 2);
  });

  it("a worker process killed (SIGKILL) just before commit leaves nothing half-written; the next run completes it once", async () => {
    const seeded = await seedWorkspace(t.db);
    const ids = await seedCustomers(t.db.sql, seeded.workspaceId, 60, seeded.staff[0]!, "k");
    await t.db.sql.transaction((tx) =>
      enrollCustomers(tx, new JourneyRegistry(), ids.map((id) => ({ workspaceId: seeded.workspaceId, customer: { id }, journeyKey: "eight", staffId: seeded.staff[0]! })), T0, emptyNotices()),
    );
    const at = new Date(T0.getTime() + 100 * 86_400_000).toISOString();
    const killed = await run(process.execPath, ["--import", "tsx", worker, t.url, at], { encoding: "utf8", env: { ...process.env, SOPLINE_CRASH_AT: "before-commit" } }).catch((e: { signal?: string }) => e);
    expect((killed as { signal?: string }).signal).toBe("SIGKILL");
    // Batch 0 (25 enrollments × 7 steps) committed; batch 1 died uncommitted.
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM deliveries WHERE workspace_id = $1`, [seeded.workspaceId])).toBe(60 + 25 * 7);
    await run(process.execPath, ["--import", "tsx", worker, t.url, at], { encoding: "utf8" });
    expect(await count(t.db.sql, `SELECT count(DISTINCT key) AS n FROM deliveries WHERE workspace_id = $1`, [seeded.workspaceId])).toBe(60 * 8);
    expect(await count(t.db.sql, `SELECT count(*) AS n FROM deliveries WHERE workspace_id = $1`, [seeded.workspaceId])).toBe(60 * 8);
  });
});
