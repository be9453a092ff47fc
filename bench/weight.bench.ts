// Weight and memory (issue 13, point 5): the install size of each package with its production
// dependencies (fresh `npm install --omit=dev` of the packed tarball, du), and the resident memory
// of `sopline serve --load-examples` (compiled, NODE_ENV=production) on PGlite and on PostgreSQL:
// idle after a first start and after a restart, then the peak and the settled figure under load.
// Needs the built packages (npm run build). Run: npm run bench:weight [-- --customers 20000 --idle 20 --dry]
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { TEST_POSTGRES_ADMIN_URL } from "../packages/gateway/src/db/test-databases.js";
import { packPackages } from "../test/helpers/packed-packages.js";
import { applyLoad, type MemorySample, newAdminKey, type RunningGateway, startGateway } from "./lib/gateway-memory.js";
import { installSize, type InstallSize } from "./lib/install-size.js";
import { machine, writeSection } from "./results.js";

const { values } = parseArgs({ options: { customers: { type: "string", default: "20000" }, idle: { type: "string", default: "20" }, dry: { type: "boolean", default: false } } });
const CUSTOMERS = Number(values.customers);
const IDLE_SECONDS = Number(values.idle);
const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

// What the figures mean, measured alongside (kept here so a rerun keeps it in RESULTS.md).
const NOTES = `Where an idle embedded gateway's memory goes (restart row; PGlite opened alone in a bare Node process, same machine): Node itself ≈ 53 MiB; PGlite's PostgreSQL heap (a WebAssembly memory: the 16 MB buffer pool, catalogs, caches) ≈ 30 MiB; PGlite's compiled code and data files ≈ 80 MiB, of which ≈ 60 MiB is V8's optimised code for PostgreSQL (\`node --liftoff-only\` gives it back for slower queries); the JavaScript heap ≈ 70 MiB (the GraphQL schema, Prisma's client runtime, yoga, the examples); the rest is native allocations. Before this change the embedded gateway took 841 MiB idle after a first start and 415 MiB after a restart: PostgreSQL's default 128 MB buffer pool is all touched at start inside the WebAssembly memory, which never shrinks (≈ 120 MiB), and a new directory's initdb runs in a WebAssembly instance of its own (165 MiB memory plus its compiled code) that stayed until a major garbage collection, which an idle server need not run. Now the buffer pool is 16 MB and initdb runs in a worker thread (src/db/pglite.ts); a first start still keeps ≈ 40 MiB more than a restart (not investigated further). The cost of the smaller pool, one run each, 50,000 enrollments × 8 steps on PGlite (bench:gateway --only pglite --n 50000): 42,131 steps/s (54 % of the bare claim loop) and 11,761 events/s with 16 MB, against 58,555 (62 %) and 13,419 with 128 MB. For throughput, run the gateway on PostgreSQL. Install size: @prisma/client carries runtimes for every database and engine (74 MiB of the gateway's 149); the client's \`graphql\` is graphql-ws's peer dependency, installed by npm but not part of the mini-program bundle.`;

// --- install sizes ---
const work = mkdtempSync(path.join(os.tmpdir(), "sopline-weight-"));
const tarballs = await packPackages(work);
const sizes: Array<[string, InstallSize]> = [];
for (const [name, files] of [
  ["@sopline/core", [tarballs.core]],
  ["@sopline/client", [tarballs.client]],
  ["@sopline/gateway", [tarballs.gateway, tarballs.core]], // core is the gateway's dependency, not on the registry here
] as const) {
  const size = await installSize([...files]);
  sizes.push([name, size]);
  console.log(name, MiB(size.disk), `${size.packages} packages`, size.largest.map((l) => `${l.name} ${MiB(l.disk)}`).join(", "));
}
rmSync(work, { recursive: true, force: true });

// --- resident memory ---
interface MemoryRun {
  kind: string;
  firstStart: MemorySample;
  restart: MemorySample;
  loadPeak: number;
  afterLoad: MemorySample;
  loadSeconds: number;
}

/** Idle: the RSS after `IDLE_SECONDS` of no requests (the scheduler and maintenance still tick). */
async function idle(gateway: RunningGateway): Promise<MemorySample> {
  await sleep(IDLE_SECONDS * 1000);
  return gateway.sample();
}

async function measure(kind: "PGlite" | "PostgreSQL", database: { dataDir: string } | { url: string }): Promise<MemoryRun> {
  const adminKey = newAdminKey();
  let gateway = await startGateway(database, adminKey);
  const firstStart = await idle(gateway);
  await gateway.stop();
  gateway = await startGateway(database, adminKey);
  try {
    const restart = await idle(gateway);
    gateway.resetPeak();
    const { seconds } = await applyLoad(gateway, CUSTOMERS);
    const loadPeak = gateway.peak();
    const afterLoad = await idle(gateway);
    const run = { kind, firstStart, restart, loadPeak, afterLoad, loadSeconds: seconds };
    console.log(JSON.stringify(run));
    return run;
  } finally {
    await gateway.stop();
  }
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const runs: MemoryRun[] = [];
const pgliteDir = mkdtempSync(path.join(os.tmpdir(), "sopline-weight-pglite-"));
try {
  runs.push(await measure("PGlite", { dataDir: path.join(pgliteDir, "db") }));
} finally {
  rmSync(pgliteDir, { recursive: true, force: true });
}
const dbName = `sopline_weight_${randomBytes(4).toString("hex")}`;
await admin(`CREATE DATABASE "${dbName}"`);
try {
  const url = new URL(TEST_POSTGRES_ADMIN_URL);
  url.pathname = `/${dbName}`;
  runs.push(await measure("PostgreSQL", { url: url.toString() }));
} finally {
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
}

// --- report ---
const free = execFileSync("free", ["-h"], { encoding: "utf8" }).trim();
const breakdown = (s: MemorySample) => {
  const wasm = s.wasm.reduce((a, b) => a + b, 0);
  return `${s.rss} MiB (WebAssembly memories ${s.wasm.join(" + ") || "0"} MiB, JS heap ${s.heap} MiB, rest ${s.rss - wasm - s.heap} MiB)`;
};
const body = [
  `${machine()} \`nproc\`: ${execFileSync("nproc", { encoding: "utf8" }).trim()}.`,
  "",
  "```",
  free,
  "```",
  "",
  "### Install size (fresh `npm install --omit=dev` of the packed tarball)",
  "",
  "| package | node_modules on disk (du) | files (apparent) | packages | heaviest |",
  "| --- | ---: | ---: | ---: | --- |",
  ...sizes.map(([name, s]) => `| ${name} | ${MiB(s.disk)} | ${MiB(s.apparent)} | ${s.packages} | ${s.largest.map((l) => `${l.name} ${MiB(l.disk)}`).join(", ")} |`),
  "",
  `### Resident memory of \`sopline serve --load-examples\` (compiled CLI, NODE_ENV=production, default Node flags)`,
  "",
  `Idle = RSS after ${IDLE_SECONDS} s without requests. Load = ${CUSTOMERS.toLocaleString("en")} new leads through \`ingestEvents\` (batches of 1,000, two in flight), created and routed into the example journeys (the scheduler fires their first steps meanwhile), then ${CUSTOMERS.toLocaleString("en")} more events and 20 board queries. "WebAssembly memories" are read from /proc/<pid>/smaps (PGlite's PostgreSQL heap first, then Prisma's query compiler).`,
  "",
  "| database | idle, first start | idle, restart | peak under load | idle after load | load took |",
  "| --- | --- | --- | ---: | --- | ---: |",
  ...runs.map((r) => `| ${r.kind} | ${breakdown(r.firstStart)} | ${breakdown(r.restart)} | ${r.loadPeak} MiB | ${breakdown(r.afterLoad)} | ${r.loadSeconds.toFixed(1)} s |`),
  "",
  NOTES,
].join("\n");

console.log(body);
if (!values.dry) writeSection("Weight and memory", body);
