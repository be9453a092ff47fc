import { afterAll, describe, expect, it } from "vitest";
import { readMigrations } from "../../src/db/migrate.js";
import { openDatabase } from "../../src/db/open-database.js";
import { type TestDatabaseKind, createTestDatabase } from "../../src/db/test-databases.js";
import { createGateway } from "../../src/server/create-gateway.js";
import { main } from "../../src/server/cli.js";
import { databaseBefore } from "../db/database-before-migration.js";
import { KINDS } from "../graphql/helpers.js";
import { captureIo } from "./helpers.js";

const VIEWER = "{ viewer { workspace { name } } }";

async function ask(url: string, key: string): Promise<{ data?: unknown; errors?: Array<{ extensions?: { code?: string } }> }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query: VIEWER }) });
  return (await res.json()) as never;
}

describe.each(KINDS)("database commands on %s", (kind: TestDatabaseKind) => {
  const cleanups: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  const names = readMigrations().map((m) => m.name);

  it("serve --no-migrate refuses a database with pending migrations and names them; sopline migrate applies them once; then it serves", async () => {
    const t = await createTestDatabase(kind, { persistent: true, open: { migrate: "skip" } });
    await t.db.close();
    cleanups.push(() => t.drop());
    const env = { DATABASE_URL: t.url };

    const refused = captureIo(env);
    expect(await main(["serve", "--no-migrate", "--port", "0", "--host", "127.0.0.1"], refused.io)).toBe(1);
    expect(refused.err.join("\n")).toContain(`The database is not fully migrated: ${names.length} migrations are pending (${names.join(", ")}). Run \`sopline migrate\` first`);

    const migrated = captureIo(env);
    expect(await main(["migrate"], migrated.io)).toBe(0);
    const where = kind === "pglite" ? `embedded PGlite (${t.url.slice("pglite:".length)})` : "PostgreSQL";
    expect(migrated.out[0]).toBe(`${where}: applied ${names.length} migrations:\n${names.map((n) => `  ${n}`).join("\n")}`);
    const again = captureIo(env);
    expect(await main(["migrate"], again.io)).toBe(0);
    expect(again.out[0]).toMatch(/: up to date, nothing to apply/);

    const served = captureIo(env);
    const result = await main(["serve", "--no-migrate", "--port", "0", "--host", "127.0.0.1"], served.io);
    if (typeof result === "number") throw new Error(served.err.join("\n"));
    await result.stop();
  });

  it("openDatabase / createGateway with migrate: false name only the pending migration and apply nothing", async () => {
    const last = names.at(-1)!;
    const t = await databaseBefore(kind, last, cleanups);
    await t.db.close();
    await expect(openDatabase({ url: t.url, migrate: false })).rejects.toThrow(`1 migration is pending (${last})`);
    await expect(createGateway({ databaseUrl: t.url, migrate: false })).rejects.toThrow(`1 migration is pending (${last})`);
    const db = await openDatabase({ url: t.url, migrate: "skip" });
    t.db = db;
    const [row] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM _prisma_migrations WHERE migration_name = $1`, [last]);
    expect(row?.n).toBe(0);
  });

  it("keys rotate: a new key works at once and the old one is refused (UNAUTHENTICATED)", async () => {
    const t = await createTestDatabase(kind, { persistent: true });
    await t.db.close();
    cleanups.push(() => t.drop());
    const env = { DATABASE_URL: t.url };
    const start = async () => {
      const run = captureIo(env);
      const result = await main(["serve", "--port", "0", "--host", "127.0.0.1"], run.io);
      if (typeof result === "number") throw new Error(run.err.join("\n"));
      return { ...result, text: run.out.join("\n") };
    };
    let gateway = await start();
    const oldKey = /Bearer (sk_\S+)/.exec(gateway.text)![1]!;
    expect(await ask(gateway.url, oldKey)).toEqual({ data: { viewer: { workspace: { name: "default" } } } });

    if (kind === "pglite") {
      // one process at a time on an embedded database: rotating needs the gateway stopped
      const locked = captureIo(env);
      expect(await main(["keys", "rotate", "--workspace", "default"], locked.io)).toBe(1);
      expect(locked.err[0]).toMatch(/PGlite data directory .* is in use by process \d+/);
      await gateway.stop();
    }
    const rotated = captureIo(env);
    expect(await main(["keys", "rotate", "--workspace", "default"], rotated.io)).toBe(0);
    expect(rotated.out[0]).toMatch(/^New API key of workspace "default" \([\w-]+\); the old key no longer works\. Shown once, only its hash is stored:\n {2}sk_[\w-]{43}$/);
    const newKey = /(sk_\S+)$/.exec(rotated.out[0]!)![1]!;
    // on PostgreSQL the gateway kept running: it must not remember the old key
    if (kind === "pglite") gateway = await start();
    try {
      expect((await ask(gateway.url, oldKey)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      expect(await ask(gateway.url, newKey)).toEqual({ data: { viewer: { workspace: { name: "default" } } } });
    } finally {
      await gateway.stop();
    }
  });

  it("keys rotate names what is wrong: no workspace, an unknown one, a missing subcommand", async () => {
    const t = await createTestDatabase(kind, { persistent: true });
    await t.db.close();
    cleanups.push(() => t.drop());
    const boot = await createGateway({ databaseUrl: t.url });
    const id = boot.workspaceId;
    await boot.stop();
    const env = { DATABASE_URL: t.url };
    const missing = captureIo(env);
    expect(await main(["keys", "rotate"], missing.io)).toBe(2);
    expect(missing.err[0]).toBe("sopline keys rotate: --workspace <id|name> is required");
    const unknown = captureIo(env);
    expect(await main(["keys", "rotate", "--workspace", "acme"], unknown.io)).toBe(1);
    expect(unknown.err[0]).toBe(`--workspace: no workspace has the id or name "acme" (workspaces: "default" ${id})`);
    const wrong = captureIo(env);
    expect(await main(["keys", "list"], wrong.io)).toBe(2);
    expect(wrong.err[0]).toMatch(/expected "keys rotate --workspace <id\|name>", got "keys list"/);
    const byId = captureIo(env);
    expect(await main(["keys", "rotate", "--workspace", id], byId.io)).toBe(0);
  });
});
