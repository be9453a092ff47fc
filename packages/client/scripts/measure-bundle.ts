/**
 * Builds the mini-program entry the way a mini-program project would bundle it (esbuild, ESM,
 * minified, every dependency inlined, browser fields, no Node) and measures it. Shared by
 * bench/client-size.ts (the table in bench/RESULTS.md) and test/bundle-size.test.ts (the budget).
 */
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";

/**
 * The size budget of `@sopline/client/wx`, bundled and minified. A mini-program's main package
 * may hold at most 2 MB (code and assets); the client is infrastructure, so it gets at most 3 % of
 * that (60 KB minified), and 20 KB gzip for a staff member's first open on a mobile network.
 */
export const WX_BUDGET = { minified: 60 * 1024, gzip: 20 * 1024 } as const;

/** One measured bundle. */
export interface BundleSize {
  /** Minified bytes. */
  minified: number;
  gzip: number;
  brotli: number;
  /** Minified bytes by origin: "@sopline/client" or a dependency's package name. */
  byPackage: Record<string, number>;
  /** Node built-ins or `ws` the bundle tried to import (must stay empty). */
  forbidden: string[];
}

const NODE_ONLY = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), "ws"]);

/**
 * Bundles `code` (an ES module importing the client) and measures it.
 *
 * @example
 * const all = await measureBundle(`export * from "@sopline/client/wx";`);
 */
export async function measureBundle(code: string): Promise<BundleSize> {
  const forbidden: string[] = [];
  const guard: Plugin = {
    name: "no-node",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!NODE_ONLY.has(args.path)) return undefined;
        forbidden.push(`${args.path} (from ${args.importer})`);
        return { path: args.path, external: true };
      });
    },
  };
  const root = fileURLToPath(new URL("..", import.meta.url));
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    // Base library ≥ 2.x runs ES2018; neutral: no Node globals or resolution rules.
    target: "es2018",
    platform: "neutral",
    mainFields: ["browser", "module", "main"],
    conditions: ["browser", "import", "default"],
    alias: { "@sopline/client/wx": `${root}src/wx.ts` },
    plugins: [guard],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const bytes = result.outputFiles[0]!.contents;
  const byPackage: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? "@sopline/client";
      byPackage[name] = (byPackage[name] ?? 0) + input.bytesInOutput;
    }
  }
  return {
    minified: bytes.byteLength,
    gzip: gzipSync(bytes, { level: 9 }).byteLength,
    brotli: brotliCompressSync(bytes).byteLength,
    byPackage,
    forbidden,
  };
}

/** The bundles the bench reports: the whole wx entry, and a page that uses only the client. */
export const WX_BUNDLES = {
  "@sopline/client/wx (every export)": `export * from "@sopline/client/wx";`,
  "createWxClient only": `import { createWxClient } from "@sopline/client/wx"; export const client = createWxClient({ url: "https://api.example.com/graphql", wx: {} as never });`,
} as const;
