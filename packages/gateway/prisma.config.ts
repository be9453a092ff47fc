// Prisma CLI configuration: Wasm schema engine + driver adapter, so nothing is downloaded.
// The CLI works against PostgreSQL (DATABASE_URL=postgres://...). PGlite databases are
// migrated by the gateway itself when it opens them (src/db/migrate.ts).
import path from "node:path";
import { defineConfig } from "prisma/config";
import { prismaCliAdapter } from "./src/db/prisma-cli-adapter";

// With engineType = "client" no query engine library is used, but `prisma generate` still tries to
// download one unless this points at an existing file (any file will do).
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= process.execPath;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    // Without DATABASE_URL the CLI gets a scratch in-memory database (enough for `migrate diff`).
    return prismaCliAdapter(process.env.DATABASE_URL);
  },
});
