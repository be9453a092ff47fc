import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "tsup";
import base from "../../tsup.config.js";

// gql.tada is compiled in, code and types: its run-time part is two small functions over
// @0no-co/graphql.web, while the package itself brings its CLI, language-service plugin and
// TypeScript, which have no place in a mini-program's or a server's production install.
// The declaration bundler leaves every file under node_modules external, so gql.tada's
// declarations are copied out of it first and `gql.tada` is mapped to the copy (which still imports
// `@0no-co/graphql.web`, a dependency, mapped to where it is installed).
const require = createRequire(import.meta.url);
function gqlTadaTypesOutsideNodeModules(): string {
  const dist = path.dirname(require.resolve("gql.tada"));
  const copy = mkdtempSync(path.join(tmpdir(), "sopline-gql-tada-types-"));
  process.once("exit", () => rmSync(copy, { recursive: true, force: true }));
  cpSync(path.join(dist, "gql-tada.d.ts"), path.join(copy, "gql-tada.d.ts"));
  cpSync(path.join(dist, "chunks"), path.join(copy, "chunks"), { recursive: true, filter: (f) => !f.endsWith(".js") });
  return path.join(copy, "gql-tada.d.ts");
}

// Three entries: the main client, the mini-program entry, and the testing fake (which imports
// `ws`, so it must never be reached from the other two).
export default defineConfig({
  ...base,
  entry: { index: "src/index.ts", wx: "src/wx.ts", testing: "src/testing/index.ts" },
  external: ["ws"],
  noExternal: ["gql.tada"],
  dts: {
    compilerOptions: {
      paths: {
        "gql.tada": [gqlTadaTypesOutsideNodeModules()],
        "@0no-co/graphql.web": [require.resolve("@0no-co/graphql.web").replace(/\.js$/, ".d.ts")],
      },
    },
  },
});
