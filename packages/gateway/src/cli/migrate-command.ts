// `sopline migrate`: applies pending migrations and exits, for controlled deploys that start the
// gateways with --no-migrate afterwards.
import { migrate, readMigrations } from "../db/index.js";
import { type Command, parseCommandArgs } from "./command.js";
import { DATABASE_FLAGS, describeDatabase, openCliDatabase } from "./database-target.js";

export const migrateCommand: Command = async (args, io) => {
  const { values } = parseCommandArgs("migrate", args, { options: DATABASE_FLAGS });
  const db = await openCliDatabase(values, io, "skip");
  try {
    const applied = await migrate(db.pool, { log: (line) => io.err(line) });
    if (applied.length === 0) io.out(`${describeDatabase(db)}: up to date, nothing to apply (${readMigrations().length} migrations applied)`);
    else io.out(`${describeDatabase(db)}: applied ${applied.length} migration${applied.length === 1 ? "" : "s"}:\n${applied.map((name) => `  ${name}`).join("\n")}`);
    return 0;
  } finally {
    await db.close();
  }
};
