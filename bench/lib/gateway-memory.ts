// Resident memory of the gateway as `sopline serve --load-examples` runs it (the compiled CLI,
// NODE_ENV=production), idle and under load, measured from outside through /proc.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { mib, resetPeak, residentMemory, wasmResident } from "../../test/helpers/proc-memory.js";

const BIN = fileURLToPath(new URL("../../packages/gateway/bin/sopline.js", import.meta.url));
const PROBE = fileURLToPath(new URL("./memory-probe.mjs", import.meta.url));

export interface MemorySample {
  /** VmRSS, MiB. */
  rss: number;
  /** Resident WebAssembly memories, MiB, largest first (PGlite's PostgreSQL heap, Prisma's compiler). */
  wasm: number[];
  /** V8's JavaScript heap (committed), MiB. */
  heap: number;
  /** Memory V8 knows of outside its heap (buffers, wasm memories' committed size …), MiB. */
  external: number;
}

export interface RunningGateway {
  url: string;
  adminKey: string;
  pid: number;
  sample(): Promise<MemorySample>;
  /** VmHWM since start or the last resetPeak(), MiB. */
  peak(): number;
  resetPeak(): void;
  stop(): Promise<void>;
}

/** A key for `--admin-key`: it becomes the first workspace's key on the first start, and stays. */
export const newAdminKey = () => `sk_${randomBytes(24).toString("base64url")}`;

/** Starts `sopline serve` on `database` (a PGlite directory or a postgres:// URL) and waits until it listens. */
export async function startGateway(database: { dataDir: string } | { url: string }, adminKey: string, env: NodeJS.ProcessEnv = {}): Promise<RunningGateway> {
  const where = "dataDir" in database ? ["--data-dir", database.dataDir] : ["--database-url", database.url];
  const child = spawn(process.execPath, ["--import", PROBE, BIN, "serve", "--port", "0", "--load-examples", "--admin-key", adminKey, ...where], {
    env: { ...process.env, NODE_ENV: "production", NODE_OPTIONS: "", ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const url = await listening(child);
  const pid = child.pid!;
  return {
    url,
    adminKey,
    pid,
    sample: async () => {
      const usage = await new Promise<{ usage: NodeJS.MemoryUsage }>((resolve) => {
        child.once("message", (m) => resolve(m as { usage: NodeJS.MemoryUsage }));
        child.send("memory");
      });
      return { rss: mib(residentMemory(pid).rss), wasm: wasmResident(pid).map(mib).filter((m) => m > 0), heap: mib(usage.usage.heapTotal), external: mib(usage.usage.external) };
    },
    peak: () => mib(residentMemory(pid).peak),
    resetPeak: () => resetPeak(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

function listening(child: ChildProcess): Promise<string> {
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

/** POSTs a GraphQL operation with the admin key; throws on errors. */
export async function graphql<T>(gateway: RunningGateway, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(gateway.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${gateway.adminKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

/**
 * The load: `customers` new leads through `ingestEvents` (batches of 1,000, two in flight), each
 * created and routed by the examples' segment rules into a journey whose first steps are due at
 * once (the scheduler fires them meanwhile), then one event per lead, then board queries.
 */
export async function applyLoad(gateway: RunningGateway, customers: number): Promise<{ seconds: number }> {
  const started = performance.now();
  await graphql(gateway, `mutation { updateWorkspaceSettings(unknownCustomers: CREATE) { unknownCustomers } }`);
  const at = new Date().toISOString();
  const batches = (name: string, profile: boolean) =>
    Array.from({ length: Math.ceil(customers / 1000) }, (_, b) =>
      Array.from({ length: Math.min(1000, customers - b * 1000) }, (_, i) => {
        const n = b * 1000 + i;
        return { id: `${name}-${n}`, customer: `lead-${n}`, name, at, ...(profile ? { profile: { attributes: { source: n % 2 ? "webinar" : "official_account" } } } : {}) };
      }),
    );
  for (const [name, profile] of [["form.submitted", true], ["message.replied", false]] as const) {
    const queue = batches(name, profile);
    const worker = async () => {
      for (let events = queue.shift(); events; events = queue.shift()) {
        const { ingestEvents } = await graphql<{ ingestEvents: { accepted: number; rejected: unknown[] } }>(gateway, `mutation ($events: [EventInput!]!) { ingestEvents(events: $events) { accepted rejected { index code } } }`, { events });
        if (ingestEvents.rejected.length > 0) throw new Error(`ingestEvents rejected ${JSON.stringify(ingestEvents.rejected.slice(0, 3))}`);
      }
    };
    await Promise.all([worker(), worker()]);
  }
  for (let i = 0; i < 20; i++) await graphql(gateway, `{ board { journeys { key } } }`);
  return { seconds: (performance.now() - started) / 1000 };
}
