import { readFile } from "node:fs/promises";
import { defineConfig, type Options } from "tsup";
import base from "../../tsup.config.js";

// The generated Prisma client (ESM flavour) sets `globalThis.__dirname` so that it can pass a
// directory to the runtime; a library must not change globals, so the bundle gets a module-local
// `__dirname` instead (esbuild renames it apart from the ESM shim's and CommonJS's own).
const PRISMA_GLOBAL_DIRNAME = "globalThis['__dirname'] = path.dirname(fileURLToPath(import.meta.url))";
const localPrismaDirname: NonNullable<Options["esbuildPlugins"]>[number] = {
  name: "local-prisma-dirname",
  setup(build) {
    build.onLoad({ filter: /[\\/]generated[\\/]client\.ts$/ }, async ({ path }) => {
      const source = await readFile(path, "utf8");
      if (!source.includes(PRISMA_GLOBAL_DIRNAME)) throw new Error(`${path}: Prisma's globalThis.__dirname line changed; update tsup.config.ts`);
      return { contents: source.replace(PRISMA_GLOBAL_DIRNAME, "const __dirname = path.dirname(fileURLToPath(import.meta.url))"), loader: "ts" };
    });
  },
};

const shared: Options = {
  ...base,
  // CommonJS gets `import.meta.url`, ESM `__dirname`, as module-local shims (not globals).
  shims: true,
  esbuildPlugins: [localPrismaDirname],
};

export default defineConfig([
  // The library: ESM + CJS + .d.ts. The generated Prisma client (src/generated) is compiled in, so
  // nothing runs `prisma generate` where the package is installed.
  // The declarations expose PGlite's types, which use the Emscripten namespace (@types/emscripten,
  // a dependency) without referencing it.
  {
    ...shared,
    entry: { index: "src/index.ts" },
    clean: ["!cli.js", "!cli.js.map"],
    dts: { banner: '/// <reference types="emscripten" />' },
  },
  // The `sopline` command (bin/sopline.js imports it): compiled, so no tsx at run time.
  { ...shared, entry: { cli: "src/server/cli.ts" }, format: ["esm"], dts: false, clean: false, splitting: false },
]);
