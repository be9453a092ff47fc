// Issue 13, point 1: the packages as users get them. `npm test` builds first; this packs core,
// gateway and client, installs the three tarballs into a fresh app outside the repository (install
// scripts on, only the npm registry), and checks there: import and require of every entry, no
// global changed, the declarations type-check (strict, skipLibCheck off, node16 and bundler),
// @arethetypeswrong/cli and publint, and the `sopline` bin serving GraphQL from compiled code.
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanNpmEnv, type PackageDir, packPackages, run } from "./helpers/packed-packages.js";

const require = createRequire(import.meta.url);
const devBin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

const ENTRIES = [
  { specifier: "@sopline/core", exportName: "defineJourney" },
  { specifier: "@sopline/gateway", exportName: "createGateway" },
  { specifier: "@sopline/client", exportName: "createClient" },
  { specifier: "@sopline/client/wx", exportName: "createWxClient" },
  { specifier: "@sopline/client/testing", exportName: "createFakeWx" },
];

let work: string;
let app: string;
let tarballs: Record<PackageDir, string>;
let installLog: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "sopline-packaging-"));
  app = path.join(work, "app");
  mkdirSync(app);
  tarballs = await packPackages(work);
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "sopline-packaging-app", version: "1.0.0", private: true, type: "module" }, null, 2));
  // Install scripts stay on (npm's default, stated in case the environment turned them off).
  installLog = await run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts=false", "--foreground-scripts", ...Object.values(tarballs)], { cwd: app });
  // A TypeScript app has @types/node; TypeScript itself runs from this repository.
  await run("npm", ["install", "--no-audit", "--no-fund", "--save-dev", "@types/node@^20"], { cwd: app });
  copyFileSync(new URL("./fixtures/packaged-app/entries.mjs", import.meta.url), path.join(app, "entries.mjs"));
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("installed from the tarballs", () => {
  it("installs without generating a Prisma client, downloading an engine or bringing build tools", () => {
    expect(installLog).not.toMatch(/prisma generate/);
    const installed = (name: string) => existsSync(path.join(app, "node_modules", name));
    for (const pkg of ["@sopline/core", "@sopline/gateway", "@sopline/client", "@prisma/client", "@electric-sql/pglite", "ws"]) expect(installed(pkg), pkg).toBe(true);
    for (const buildTool of ["prisma", "@prisma/engines", "typescript", "gql.tada", "tsx", "tsup"]) expect(installed(buildTool), buildTool).toBe(false);
  });

  it("ships each package's README, the migrations and no sources", () => {
    for (const name of ["core", "gateway", "client"]) {
      const dir = path.join(app, "node_modules", "@sopline", name);
      expect(readFileSync(path.join(dir, "README.md"), "utf8"), name).toMatch(new RegExp(`^# @sopline/${name}`));
      expect(existsSync(path.join(dir, "src")), `${name}/src`).toBe(false);
    }
    const gateway = path.join(app, "node_modules", "@sopline", "gateway");
    expect(existsSync(path.join(gateway, "prisma.config.ts"))).toBe(false);
    expect(existsSync(path.join(gateway, "prisma", "migrations", "migration_lock.toml"))).toBe(true);
    // the operator console, built (its sources stay in the repository)
    expect(existsSync(path.join(gateway, "dist", "console", "index.html"))).toBe(true);
    expect(existsSync(path.join(gateway, "console"))).toBe(false);
  });

  it.each(["esm", "cjs"])("loads every entry with %s and changes no global", async (mode) => {
    const out = await run(process.execPath, ["entries.mjs", mode, ...ENTRIES.map((e) => `${e.specifier}=${e.exportName}`)], { cwd: app });
    const loaded = JSON.parse(out) as Record<string, { type: string; globals: string[] }>;
    expect(loaded).toEqual(Object.fromEntries(ENTRIES.map((e) => [e.specifier, { type: "function", globals: [] }])));
  });
});

describe("types in a strict app (skipLibCheck off)", () => {
  // Uses every entry, and a gql.tada document typed by the schema the client's declarations carry.
  const USE = `import { defineJourney } from "@sopline/core";
import { createGateway, type Gateway } from "@sopline/gateway";
import { createClient, graphql, type ResultOf } from "@sopline/client";
import { createWxClient } from "@sopline/client/wx";
import { createFakeWx } from "@sopline/client/testing";
const Viewer = graphql(\`query Viewer { viewer { kind } }\`);
export const kind: ResultOf<typeof Viewer>["viewer"]["kind"] = "API_KEY";
// @ts-expect-error the schema's enum has no such value
export const wrong: ResultOf<typeof Viewer>["viewer"]["kind"] = "ROOT";
export const start = (gateway: Gateway) => gateway.start(0);
export const all = [defineJourney, createGateway, createClient, createWxClient, createFakeWx];
`;
  // graphql-yoga's own declarations fail under these settings (lru-cache 10's iterators under
  // TypeScript ≥ 5.6, URLPattern missing from lib.dom): an app importing graphql-yoga alone is the
  // baseline, and sopline's packages must add no error to it.
  const YOGA_ONLY = `import type { YogaServerInstance } from "graphql-yoga";\nexport type Yoga = YogaServerInstance<object, object>;\n`;

  async function typeErrors(resolution: "node16" | "bundler", files: Record<string, string>): Promise<string[]> {
    const dir = mkdtempSync(path.join(app, "types-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const compilerOptions = {
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      target: "ES2022",
      lib: ["ESNext"],
      types: ["node"],
      module: resolution === "node16" ? "node16" : "esnext",
      moduleResolution: resolution,
    };
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: Object.keys(files) }));
    try {
      await run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", dir], { cwd: dir });
      return [];
    } catch (err) {
      // "file(line,col): error TSnnnn" (or a bare "error TSnnnn: …"), paths from the package on.
      const errors = [...(err as Error).message.matchAll(/^(\S+\(\d+,\d+\): )?error TS\d+.*$/gm)].map((m) => m[0].replace(/^.*node_modules\//, ""));
      if (errors.length === 0) throw err;
      return errors;
    }
  }

  // node16 from a .cts file reads the CommonJS declarations (.d.cts). One program per kind: Pothos
  // (like sopline) declares global types, which clash when its ESM and CJS declarations meet.
  it.each([
    ["node16", "ts"],
    ["node16", "cts"],
    ["bundler", "ts"],
  ] as const)("type-checks under moduleResolution %s from a .%s file", async (resolution, ext) => {
    const [ours, baseline] = await Promise.all([typeErrors(resolution, { [`app.${ext}`]: USE }), typeErrors(resolution, { [`yoga.${ext}`]: YOGA_ONLY })]);
    expect(ours.filter((e) => !baseline.includes(e))).toEqual([]);
  });
});

describe("package checkers", () => {
  it.each(["core", "gateway", "client"] as const)("@arethetypeswrong/cli and publint find no problem in %s", async (name) => {
    await run(devBin("attw"), ["--format", "ascii", tarballs[name]], { cwd: work });
    const lint = await run(devBin("publint"), ["run", tarballs[name], "--strict"], { cwd: work });
    expect(lint).not.toMatch(/Errors:|Warnings:/);
  });
});

describe("the sopline command of the installed gateway", () => {
  it("prints its usage through npx", async () => {
    const out = await run("npx", ["--no-install", "sopline", "--help"], { cwd: app });
    expect(out).toMatch(/^Usage: sopline <command>/);
    for (const command of ["serve", "migrate", "keys rotate", "validate", "lint", "preview", "push", "pull"]) expect(out).toContain(command);
  });

  it("serves GraphQL on a fresh embedded database with the examples, from compiled code, and stops on SIGTERM", async () => {
    const adminKey = "sk_packaging_test_0123456789abcdef";
    const child = spawn(path.join(app, "node_modules", ".bin", "sopline"), ["serve", "--port", "0", "--data-dir", path.join(work, "pglite"), "--load-examples"], {
      cwd: app,
      env: cleanNpmEnv({ SOPLINE_ADMIN_KEY: adminKey }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await printedUrl(child);
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` },
        body: JSON.stringify({ query: "{ viewer { kind } journeys { key } }" }),
      });
      const body = (await response.json()) as { data?: { viewer: { kind: string }; journeys: Array<{ key: string }> } };
      expect(body.data?.viewer.kind).toBe("API_KEY");
      expect(body.data?.journeys.map((j) => j.key)).toContain("b2b-nurture");
    } finally {
      child.kill("SIGTERM");
    }
    const code = await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(child.exitCode)));
    expect(code).toBe(0);
  }, 120_000);
});

/** The GraphiQL URL `sopline serve` prints once it listens; rejects with its output if it exits first. */
function printedUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /GraphiQL:\s+(http\S+)/.exec(output)?.[1];
      if (url) resolve(url);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`sopline serve exited (${code}) before listening:\n${output}`)));
  });
}
