// A migration test starts from a database as it was before that migration: every committed
// migration applied except the one under test (and any after it), then reopened with all of them.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defaultMigrationsDir } from "../../src/db/migrate";
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from "../../src/db/test-databases";

/** A persistent test database migrated up to, not including, `migration`; `cleanups` gets what removes it. */
export async function databaseBefore(kind: TestDatabaseKind, migration: string, cleanups: Array<() => unknown>): Promise<TestDatabase> {
  const before = fs.mkdtempSync(path.join(os.tmpdir(), "sopline-migrations-"));
  cleanups.push(() => fs.rmSync(before, { recursive: true, force: true }));
  fs.cpSync(defaultMigrationsDir(), before, { recursive: true });
  for (const dir of fs.readdirSync(before)) if (dir >= migration && dir !== "migration_lock.toml") fs.rmSync(path.join(before, dir), { recursive: true });
  const t = await createTestDatabase(kind, { persistent: true, open: { migrationsDir: before } });
  cleanups.push(() => t.drop());
  return t;
}
