// Throw-away databases for tests, so every suite can run against both PGlite and PostgreSQL:
//   describe.each(["pglite", "postgres"] as const)("%s", (kind) => { ... createTestDatabase(kind) ... })
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type Database, type OpenDatabaseOptions } from "./open-database";
import { closePglite, openPglite } from "./pglite";
import { migrate, readMigrations } from "./migrate";

/** Server used to create and drop test databases (trust auth on the dev machines and in CI). */
export const TEST_POSTGRES_ADMIN_URL = process.env.SOPLINE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export type TestDatabaseKind = "pglite" | "postgres";

export interface TestDatabase {
  kind: TestDatabaseKind;
  /** Reopen with openDatabase({ url }) after db.close(). "memory://" cannot be reopened. */
  url: string;
  db: Database;
  /** Closes `db` (if still open) and deletes the database. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** PGlite only: persist in a temp directory (to test close/reopen) instead of memory. */
  persistent?: boolean;
  /** Passed to openDatabase (e.g. migrate: "skip" for an empty database, log). */
  open?: Omit<OpenDatabaseOptions, "url" | "dataDir">;
}

export async function createTestDatabase(kind: TestDatabaseKind, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  return kind === "postgres" ? createPostgres(options) : createPglite(options);
}

async function createPostgres(options: TestDatabaseOptions): Promise<TestDatabase> {
  const name = `sopline_test_${randomBytes(6).toString("hex")}`;
  await admin(`CREATE DATABASE "${name}"`);
  const u = new URL(TEST_POSTGRES_ADMIN_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  let db: Database;
  try {
    db = await openDatabase({ ...options.open, url, poolSize: options.open?.poolSize ?? 4 });
  } catch (err) {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    throw err;
  }
  return {
    kind: "postgres",
    url,
    db,
    async drop() {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`Test PostgreSQL unreachable at ${TEST_POSTGRES_ADMIN_URL} (set SOPLINE_TEST_POSTGRES_URL): ${(err as Error).message}`);
  }
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function createPglite(options: TestDatabaseOptions): Promise<TestDatabase> {
  const dir = options.persistent ? fs.mkdtempSync(path.join(os.tmpdir(), "sopline-pglite-")) : undefined;
  const dataDir = dir ? path.join(dir, "db") : "memory://";
  const url = dir ? `pglite:${dataDir}` : "memory://";
  // the migrated template holds the default migrations: with another folder, start empty
  const loadDataDir = await template(options.open?.migrate !== "skip" && !options.open?.migrationsDir);
  const db = await openDatabase({ ...options.open, url, pglite: { ...options.open?.pglite, loadDataDir } });
  return {
    kind: "pglite",
    url,
    db,
    async drop() {
      await db.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Creating a PGlite cluster takes ~3 s (plus migrations); loading a dump of one ~1 s. Dumps of an
// empty and of a migrated cluster are cached in memory and in the OS temp dir, keyed by PGlite
// version and migrations, so parallel test files (separate processes) share them. openDatabase
// still runs migrate() on the migrated one and finds nothing to do.
const templates = new Map<boolean, Promise<Blob>>();

function template(migrated: boolean): Promise<Blob> {
  let dump = templates.get(migrated);
  if (!dump) templates.set(migrated, (dump = buildTemplate(migrated)));
  return dump;
}

async function buildTemplate(migrated: boolean): Promise<Blob> {
  const key = createHash("sha256")
    .update(pgliteVersion())
    .update(migrated ? readMigrations().map((m) => `${m.name}:${m.checksum}`).join("\n") : "empty")
    .digest("hex")
    .slice(0, 16);
  const file = path.join(os.tmpdir(), `sopline-pglite-template-${key}.tar.gz`);
  if (fs.existsSync(file)) return new Blob([fs.readFileSync(file)]);
  const handle = await openPglite("memory://");
  try {
    if (migrated) await migrate(handle.pool);
    const dump = await handle.pglite.dumpDataDir("gzip");
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(tmp, file); // atomic: a parallel reader never sees half a file
    return dump;
  } finally {
    await closePglite(handle);
  }
}

// A dump only loads into the PGlite version that wrote it.
function pgliteVersion(): string {
  const main = createRequire(import.meta.url).resolve("@electric-sql/pglite"); // …/pglite/dist/index.cjs
  const pkg = path.join(path.dirname(main), "..", "package.json");
  return (JSON.parse(fs.readFileSync(pkg, "utf8")) as { version: string }).version;
}
