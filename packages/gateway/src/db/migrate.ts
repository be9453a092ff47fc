// Applies prisma/migrations/*/migration.sql from the application, recording them in
// _prisma_migrations exactly like `prisma migrate deploy`, so the Prisma CLI agrees
// (`migrate status`) and either tool can take over. Used for PGlite (the CLI cannot reach it)
// and PostgreSQL alike, so both databases are migrated by the same code.
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";

/** Prisma's own advisory lock key: the CLI and the gateways serialise with each other. */
const PRISMA_ADVISORY_LOCK = 72707369;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MigrationError";
  }
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

// Where this module lives: src/db in development, dist/ once bundled (the CJS bundle has no import.meta.url).
const here = import.meta.url ? path.dirname(fileURLToPath(import.meta.url)) : __dirname;

/** prisma/migrations of the package this module belongs to (the nearest package.json above src/db/ or dist/). */
export function defaultMigrationsDir(): string {
  for (let dir = here; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return path.join(dir, "prisma", "migrations");
  }
  throw new MigrationError(`No package.json above ${here}: cannot locate prisma/migrations`);
}

export function readMigrations(dir: string = defaultMigrationsDir()): MigrationFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, "migration.sql")))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: sha256(sql) };
    });
}

// Prisma accepts a file whose line endings changed (git autocrlf), so do we.
function sameScript(file: MigrationFile, checksum: string): boolean {
  const lf = file.sql.replace(/\r\n/g, "\n");
  return [file.checksum, sha256(lf), sha256(lf.replace(/\n/g, "\r\n"))].includes(checksum);
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** The table as `prisma migrate deploy` creates it. */
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrateOptions {
  migrationsDir?: string;
  log?: (message: string) => void;
}

/**
 * Applies pending migrations, each in its own transaction. Refuses to run when an applied
 * migration's file was edited afterwards or a migration is recorded as failed.
 * Returns the names applied now.
 */
export async function migrate(pool: pg.Pool, options: MigrateOptions = {}): Promise<string[]> {
  const files = readMigrations(options.migrationsDir);
  const client = await pool.connect();
  try {
    // Session-level lock: a second gateway starting at the same time waits here, then finds
    // nothing left to apply.
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
    try {
      return await applyPending(client, files, options.log);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK]);
    }
  } finally {
    client.release();
  }
}

/**
 * The migrations of the folder not yet applied to the database, in order, without applying any
 * (for gateways started with `migrate: false`: controlled deploys run `sopline migrate` first).
 * Throws like {@link migrate} on a failed or edited migration.
 */
export async function pendingMigrations(pool: pg.Pool, options: Pick<MigrateOptions, "migrationsDir"> = {}): Promise<string[]> {
  const files = readMigrations(options.migrationsDir);
  const [table] = (await pool.query<{ t: string | null }>(`SELECT to_regclass('"_prisma_migrations"')::text AS t`)).rows;
  if (!table?.t) return files.map((f) => f.name);
  const applied = await appliedMigrations(pool, files);
  return files.filter((f) => !applied.has(f.name)).map((f) => f.name);
}

/** Names recorded as applied; throws on a failed migration or one whose file changed since. */
async function appliedMigrations(runner: pg.Pool | pg.PoolClient, files: MigrationFile[], log?: (m: string) => void): Promise<Set<string>> {
  const { rows } = await runner.query<AppliedRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`,
  );
  const applied = new Set<string>();
  for (const row of rows) {
    if (row.rolled_back_at) continue;
    if (!row.finished_at) {
      throw new MigrationError(
        `Migration ${row.migration_name} is recorded as failed in _prisma_migrations. Fix the database, then ` +
          `mark it with \`prisma migrate resolve --applied|--rolled-back ${row.migration_name}\`.`,
      );
    }
    const file = files.find((f) => f.name === row.migration_name);
    if (file && !sameScript(file, row.checksum)) {
      throw new MigrationError(
        `Migration ${row.migration_name} was modified after it was applied to this database ` +
          `(checksum ${row.checksum} recorded, ${file.checksum} on disk). Restore the original ` +
          `migration.sql and put changes in a new migration.`,
      );
    }
    if (!file) log?.(`migration ${row.migration_name} is applied but missing from the migrations folder`);
    applied.add(row.migration_name);
  }
  return applied;
}

async function applyPending(client: pg.PoolClient, files: MigrationFile[], log?: (m: string) => void): Promise<string[]> {
  await client.query(CREATE_TABLE);
  const applied = await appliedMigrations(client, files, log);
  const done: string[] = [];
  for (const file of files) {
    if (applied.has(file.name)) continue;
    await client.query("BEGIN");
    try {
      const id = randomUUID();
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
        [id, file.checksum, file.name],
      );
      await client.query(file.sql); // no parameters: simple protocol, several statements allowed
      await client.query(
        `UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
        [id],
      );
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK");
      throw new MigrationError(`Migration ${file.name} failed and was rolled back: ${(err as Error).message}`, { cause: err });
    }
    log?.(`applied migration ${file.name}`);
    done.push(file.name);
  }
  return done;
}
