// The database a command opens: --database-url (or DATABASE_URL), else the embedded PGlite in
// --data-dir — the same rules as `sopline serve`, so both reach the same data.
import { openDatabase, type Database } from "../db/index.js";
import type { CliIo } from "../server/cli.js";

export const DATABASE_FLAGS = {
  "database-url": { type: "string" },
  "data-dir": { type: "string" },
} as const;

/** Opens the database named by the flags and environment (migrate: see openDatabase). */
export function openCliDatabase(values: { "database-url"?: string | undefined; "data-dir"?: string | undefined }, io: CliIo, migrate: boolean | "skip"): Promise<Database> {
  return openDatabase({ url: values["database-url"] ?? io.env.DATABASE_URL ?? undefined, dataDir: values["data-dir"], migrate, poolSize: 2 });
}

/** "embedded PGlite (<dir>)" or "PostgreSQL", for what a command prints. */
export function describeDatabase(db: Database): string {
  return db.kind === "pglite" ? `embedded PGlite (${db.dataDir})` : "PostgreSQL";
}
