import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources; test/packaging.test.ts checks the built dist separately.
export default defineConfig({
  resolve: {
    alias: {
      "@sopline/core": src("core"),
      "@sopline/gateway": src("gateway"),
      "@sopline/client": src("client"),
    },
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
