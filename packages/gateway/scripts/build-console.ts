// Builds the operator console (packages/gateway/console) into dist/console: one ES module entry
// with lazily loaded chunks, a CSS file, and the Noto Sans SC subsets (woff2, by unicode-range, so
// a browser fetches only the pieces of the font the page shows). Runs at `npm install`
// (postinstall), in the gateway's build, and before the console's browser tests.
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
export const CONSOLE_SOURCE = path.resolve(here, "../console");
export const CONSOLE_OUT = path.resolve(here, "../dist/console");
const packages = path.resolve(here, "../..");

/** The font's CSS without the .woff fallbacks: every browser that runs the console reads woff2. */
const fontWithoutWoff: Plugin = {
  name: "font-woff2-only",
  setup(b) {
    b.onResolve({ filter: /^noto-sans-sc\.css$/ }, () => {
      const require = createRequire(import.meta.url);
      return { path: require.resolve("@fontsource/noto-sans-sc/400.css"), namespace: "file" };
    });
    b.onLoad({ filter: /@fontsource[\\/]noto-sans-sc[\\/]400\.css$/ }, async (args) => ({
      contents: (await readFile(args.path, "utf8")).replace(/,\s*url\([^)]*\.woff\)\s*format\('woff'\)/g, ""),
      loader: "css",
      resolveDir: path.dirname(args.path),
    }));
  },
};

export interface ConsoleBuild {
  outDir: string;
  files: string[];
}

/** Bundles the console; `minify: false` only for debugging. */
export async function buildConsole(options: { outDir?: string; minify?: boolean } = {}): Promise<ConsoleBuild> {
  const outDir = options.outDir ?? CONSOLE_OUT;
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: { app: path.join(CONSOLE_SOURCE, "src/main.tsx"), styles: path.join(CONSOLE_SOURCE, "src/styles.css") },
    outdir: path.join(outDir, "assets"),
    bundle: true,
    splitting: true,
    format: "esm",
    target: "es2020",
    platform: "browser",
    minify: options.minify ?? true,
    sourcemap: false,
    metafile: true,
    legalComments: "none",
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    assetNames: "font/[name]-[hash]",
    jsx: "automatic",
    jsxImportSource: "preact",
    loader: { ".woff2": "file" },
    // The sources, as the tests and tsc see them: the console builds before any package's dist exists.
    alias: {
      "@sopline/client": path.join(packages, "client/src/index.ts"),
      "@sopline/core": path.join(packages, "core/src/index.ts"),
    },
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: [fontWithoutWoff],
    logLevel: "warning",
  });
  const outputs = Object.keys(result.metafile.outputs).map((f) => path.resolve(f));
  const entry = (name: string) => {
    const found = outputs.find((f) => path.basename(f).startsWith(`${name}-`) && (f.endsWith(".js") || f.endsWith(".css")));
    if (!found) throw new Error(`console build: no output for entry "${name}"`);
    return `assets/${path.basename(found)}`;
  };
  const html = (await readFile(path.join(CONSOLE_SOURCE, "index.html"), "utf8")).replace("%APP%", entry("app")).replace("%STYLES%", entry("styles"));
  await writeFile(path.join(outDir, "index.html"), html);
  await copyFile(path.join(CONSOLE_SOURCE, "favicon.svg"), path.join(outDir, "favicon.svg"));
  return { outDir, files: ["index.html", "favicon.svg", ...outputs.map((f) => path.relative(outDir, f))] };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const started = performance.now();
  const { outDir, files } = await buildConsole();
  console.log(`console: ${files.length} files in ${path.relative(process.cwd(), outDir) || outDir} (${Math.round(performance.now() - started)} ms)`);
}
