import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string, entry = "index.ts") => fileURLToPath(new URL(`./packages/${pkg}/src/${entry}`, import.meta.url));

// Tests run against the TypeScript sources; test/packaging.test.ts checks the built dist separately.
export default defineConfig({
  resolve: {
    // Exact matches: "@sopline/client" must not also capture "@sopline/client/wx".
    alias: [
      { find: /^@sopline\/core$/, replacement: src("core") },
      { find: /^@sopline\/gateway$/, replacement: src("gateway") },
      { find: /^@sopline\/client$/, replacement: src("client") },
      { find: /^@sopline\/client\/wx$/, replacement: src("client", "wx.ts") },
      { find: /^@sopline\/client\/testing$/, replacement: src("client", "testing/index.ts") },
    ],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 60_000,
    // Gateways on PostgreSQL need a secret key (embedded ones make their own): a test-only key.
    env: { SOPLINE_SECRET_KEY: "dGVzdC1vbmx5LXNlY3JldC1rZXktMzItYnl0ZXMtISE=" },
    hookTimeout: 120_000,
    // Vitest's default is one worker fewer than the cores: one on a 2-core CI machine. Most files wait
    // on PostgreSQL, PGlite or a gateway process, so two share 2 cores well (817 s → 634 s here).
    maxWorkers: 2,
  },
});
