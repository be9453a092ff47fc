// Opens the gateway's database: embedded PGlite (default, persisted in a directory) or
// PostgreSQL (postgres:// url). Both are reached through a node-postgres pool, so Prisma and
// raw SQL behave the same; pending migrations are applied before the handle is returned.
import path from "node:path";
import type { PGlite, PGliteOptions } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/client";
import { survivePoolConnectionLoss } from "./connection-loss";
import { acquireDirectoryLock, type DirectoryLock } from "./directory-lock";
import { MigrationError, migrate, pendingMigrations } from "./migrate";
import { closePglite, openPglite } from "./pglite";
import { createSql, type Sql } from "./sql";

export const DEFAULT_DATA_DIR = "./data/pglite";

export interface OpenDatabaseOptions {
  /**
   * postgres://… or postgresql://… → PostgreSQL.
   * Absent, "pglite:<dir>", "file:<dir>" or "memory://" → PGlite ("memory://" is not persisted).
   */
  url?: string | undefined;
  /** PGlite directory when `url` is absent. Default ./data/pglite. */
  dataDir?: string | undefined;
  /** Receives one line per notable step (migrations applied, ...). */
  log?: ((message: string) => void) | undefined;
  /**
   * true (default): apply pending migrations on open. false: apply none and fail with a
   * MigrationError naming the pending ones (controlled deploys run `sopline migrate` first).
   * "skip": neither apply nor check (tools and tests that migrate the database themselves).
   */
  migrate?: boolean | "skip" | undefined;
  /** PostgreSQL pool size (default 10). PGlite always has exactly one connection. */
  poolSize?: number | undefined;
  /** Directory of migrations (default: packages/gateway/prisma/migrations). */
  migrationsDir?: string | undefined;
  /** Extra PGlite options (e.g. loadDataDir to start from a dump, as test-databases.ts does). */
  pglite?: PGliteOptions | undefined;
}

export interface Database {
  prisma: PrismaClient;
  kind: "pglite" | "postgres";
  /** Raw parameterised SQL for hot paths. */
  sql: Sql;
  /** The node-postgres pool behind both `prisma` and `sql` (for LISTEN, COPY, ...). */
  pool: pg.Pool;
  /** The PGlite instance when kind is "pglite". */
  pglite?: PGlite | undefined;
  /** Absolute PGlite directory, or "memory://"; undefined for PostgreSQL. */
  dataDir?: string | undefined;
  /** Disconnects Prisma, ends the pool, closes PGlite and releases the directory lock. Idempotent. */
  close(): Promise<void>;
}

export type DatabaseTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };

export function resolveDatabaseTarget(url: string | undefined, dataDir?: string): DatabaseTarget {
  if (!url) return { kind: "pglite", dataDir: dataDir ?? DEFAULT_DATA_DIR };
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: "postgres", url };
  const local = /^(pglite|file):(.*)$/i.exec(url);
  if (local || url.startsWith("memory://")) {
    // pglite:./rel, pglite:/abs, pglite:///abs, file:///abs, pglite:memory://
    let dir = local ? local[2]! : url;
    if (!dir.startsWith("memory://")) dir = dir.replace(/^\/\/(?=\/)/, "");
    if (!dir) throw new Error(`Database url ${url} names no directory`);
    return { kind: "pglite", dataDir: dir };
  }
  throw new Error(`Unsupported database url "${url}": expected postgres://, pglite:<dir>, file:<dir> or memory://`);
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const target = resolveDatabaseTarget(options.url, options.dataDir);
  if (target.kind === "postgres") {
    const { connectionString, schema } = splitSchema(target.url);
    // Set at connection start. search_path: Prisma, raw SQL and migrations all land in the schema.
    // jit off: the gateway's statements are short, but at a million rows their estimated cost passes
    // the JIT thresholds and compiling took 140 ms of a 150 ms ingest statement (bench:track).
    const startup = ["-c jit=off", ...(schema ? [`-c search_path=${schema}`] : [])].join(" ");
    const pool = new pg.Pool({ connectionString, max: options.poolSize ?? 10, options: startup });
    // pool.end() resolves before the sockets are closed; wait for them, so that after close()
    // nothing is left talking to the server (e.g. before a test drops its database).
    const open = new Set<Promise<void>>();
    pool.on("connect", (client) => {
      const ended: Promise<void> = new Promise((resolve) => client.once("end", () => (open.delete(ended), resolve())));
      open.add(ended);
    });
    const closeDriver = async () => {
      await pool.end();
      await Promise.all(open);
    };
    return finishOpen(options, { kind: "postgres", pool, closeDriver, ...(schema ? { schema } : {}) });
  }
  const memory = target.dataDir.startsWith("memory://");
  const dataDir = memory ? target.dataDir : path.resolve(target.dataDir);
  const lock: DirectoryLock | undefined = memory ? undefined : acquireDirectoryLock(dataDir);
  try {
    const handle = await openPglite(dataDir, options.pglite);
    return await finishOpen(options, {
      kind: "pglite",
      pool: handle.pool,
      pglite: handle.pglite,
      dataDir,
      closeDriver: async () => {
        try {
          await closePglite(handle);
        } finally {
          lock?.release();
        }
      },
    });
  } catch (err) {
    lock?.release();
    throw err;
  }
}

/**
 * `?schema=name` of a postgres:// url (as Prisma spells it): sopline's tables then live in that
 * schema, beside the application's own. pg would ignore the parameter, so it is taken out here.
 */
export function splitSchema(url: string): { connectionString: string; schema?: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema");
  if (schema === null) return { connectionString: url };
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`DATABASE_URL: ?schema= expects a lower-case PostgreSQL identifier (letters, digits, _), got "${schema}"`);
  }
  parsed.searchParams.delete("schema");
  return { connectionString: parsed.toString(), schema };
}

interface Driver {
  kind: Database["kind"];
  /** The PostgreSQL schema of ?schema= (created when missing). */
  schema?: string;
  pool: pg.Pool;
  pglite?: PGlite;
  dataDir?: string;
  closeDriver(): Promise<void>;
}

async function finishOpen(options: OpenDatabaseOptions, driver: Driver): Promise<Database> {
  const { closeDriver, schema, ...rest } = driver;
  // A connection dropped by the server (restart, failover), idle or checked out, must not crash
  // the process: its work fails, the pool discards it and connects again on the next query.
  survivePoolConnectionLoss(driver.pool, options.log);
  try {
    if (schema) await driver.pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    if (options.migrate === undefined || options.migrate === true) await migrate(driver.pool, { migrationsDir: options.migrationsDir, log: options.log });
    else if (options.migrate === false) await assertMigrated(driver.pool, options.migrationsDir);
  } catch (err) {
    await closeDriver();
    throw err;
  }
  // Prisma qualifies table names with the adapter's schema (default public).
  const prisma = new PrismaClient({ adapter: new PrismaPg(driver.pool, schema ? { schema } : undefined) });
  let closing: Promise<void> | undefined;
  return {
    ...rest,
    prisma,
    sql: createSql(driver.pool),
    close: () =>
      (closing ??= (async () => {
        try {
          await prisma.$disconnect();
        } finally {
          await closeDriver();
        }
      })()),
  };
}

async function assertMigrated(pool: pg.Pool, migrationsDir: string | undefined): Promise<void> {
  const pending = await pendingMigrations(pool, { migrationsDir });
  if (pending.length === 0) return;
  throw new MigrationError(
    `The database is not fully migrated: ${pending.length === 1 ? "1 migration is" : `${pending.length} migrations are`} pending (${pending.join(", ")}). ` +
      "Run `sopline migrate` first, or open it without migrate: false (serve without --no-migrate) to apply them on start.",
  );
}
