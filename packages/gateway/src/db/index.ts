// Persistence layer of the gateway: one Prisma schema and one migrations folder for the
// embedded PGlite database and PostgreSQL. test-databases.ts is for tests and not exported here.
export { openDatabase, resolveDatabaseTarget, DEFAULT_DATA_DIR } from "./open-database";
export type { Database, DatabaseTarget, OpenDatabaseOptions } from "./open-database";
export type { Sql, SqlRunner } from "./sql";
export { migrate, pendingMigrations, readMigrations, defaultMigrationsDir, MigrationError } from "./migrate";
export type { MigrateOptions, MigrationFile } from "./migrate";
export { DirectoryLockedError } from "./directory-lock";
// the generated client: PrismaClient, Prisma, model types (Workspace, Enrollment, ...)
export * from "../generated/client";
