// Embedded PostgreSQL (PGlite, WASM) reached through node-postgres, so Prisma (adapter-pg) and
// raw SQL use exactly the same driver code as on a real server.
import { once } from "node:events";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { PGlite, type PGliteOptions } from "@electric-sql/pglite";
import { createPgConfig, PglitePgConnection } from "@electric-sql/pglite/node-postgres";
import pg from "pg";

let patched = false;

// adapter-pg passes per-query type parsers as `types: { getTypeParser }`; node-postgres ignores
// that object when building the Parse message, PGlite's serializer calls `types.forEach` and throws.
// Parameter type OIDs are never needed here (the server infers them), so drop a non-array `types`.
function patchParse(): void {
  if (patched) return;
  patched = true;
  const proto = PglitePgConnection.prototype as unknown as { parse(query: { types?: unknown }): void };
  const original = proto.parse;
  proto.parse = function (this: unknown, query: { types?: unknown }) {
    const q = query && !Array.isArray(query.types) ? { ...query, types: undefined } : query;
    return original.call(this, q);
  };
}

// PGlite runs PostgreSQL with fsync off (its own default: writes reach the operating system, not
// the disk, before a commit returns). Full-page images in the WAL only help recovery from pages
// torn by a power loss, which that setting does not survive anyway; without them the scheduler
// writes an eighth less at 100,000 customers (bench/RESULTS.md).
// PostgreSQL's buffer pool lives in PGlite's WebAssembly memory, which is all touched at start and
// never shrinks: the default 128 MB was most of an idle gateway's memory. Pages beyond 16 MB come
// from the operating system's file cache instead (bench/RESULTS.md, "Weight and memory").
const EMBEDDED_SETTINGS: readonly string[] = ["-c", "full_page_writes=off", "-c", "shared_buffers=16MB"];

/** PGlite's start parameters with the embedded database's settings (benchmarks start theirs alike). */
export function embeddedStartParams(): string[] {
  return [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS];
}

export interface PgliteHandle {
  pglite: PGlite;
  pool: pg.Pool;
}

/** `dataDir` is a directory path or "memory://". PGlite does not create parent directories. */
export async function openPglite(dataDir: string, options: PGliteOptions = {}): Promise<PgliteHandle> {
  patchParse();
  if (!dataDir.startsWith("memory://")) mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  if (!dataDir.startsWith("memory://") && !options.loadDataDir && !existsSync(path.join(dataDir, "PG_VERSION"))) await createClusterInWorker(dataDir);
  const pglite = await PGlite.create(dataDir, { startParams: embeddedStartParams(), ...options });
  // PGlite is one session: the pool must never hand out two clients, and keeping the one client
  // forever avoids re-running the connection handshake after idle periods.
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1, idleTimeoutMillis: 0 });
  keepClientAfterFailedQuery(pool);
  return { pglite, pool };
}

/**
 * A new directory gets its cluster from initdb, which PGlite runs in a WebAssembly instance of its
 * own: ≈ 350 MB resident with its compiled code, garbage once done, but kept until a major garbage
 * collection that an idle server may not run for hours. In a worker thread it goes with the worker.
 */
async function createClusterInWorker(dataDir: string): Promise<void> {
  const worker = new Worker(
    `const { workerData } = require("node:worker_threads");
     require(workerData.pglite).PGlite.create(workerData.dataDir, { startParams: workerData.startParams }).then((db) => db.close());`,
    { eval: true, workerData: { pglite: createRequire(import.meta.url).resolve("@electric-sql/pglite"), dataDir, startParams: embeddedStartParams() } },
  );
  const failed = (detail: string) => new Error(`Creating the embedded database in ${dataDir} failed: ${detail}`);
  const [code] = (await once(worker, "exit").catch((err: Error) => Promise.reject(failed(err.message)))) as [number];
  if (code !== 0) throw failed(`worker exit code ${code}`);
}

/**
 * pg-pool's query() ends its connection after any failed statement, which is right for a server
 * (the next query gets a fresh one). Behind the embedded pool's one "connection" is PGlite's one
 * session: ending it before the failed statement's reply is read through leaves the rest of that
 * reply to the next connection, whose first statements then fail too ("Connection terminated
 * unexpectedly", "unexpected rowDescription message"). So pool.query keeps the client after a
 * failed statement, as a transaction keeps its client after an error; the client reads the whole
 * reply before it answers. (The callback form is unchanged: nothing here uses it.)
 */
function keepClientAfterFailedQuery(pool: pg.Pool): void {
  const original = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const query = (...args: unknown[]): unknown => {
    const callback = args.some((a) => typeof a === "function") || typeof (args[0] as { callback?: unknown } | null)?.callback === "function";
    if (callback) return original(...args);
    return (async () => {
      const client = await pool.connect();
      try {
        return await (client.query as (...a: unknown[]) => Promise<unknown>)(...args);
      } finally {
        client.release();
      }
    })();
  };
  (pool as unknown as { query: typeof query }).query = query;
}

/** Ends the pool, then PGlite: the process cannot exit before pglite.close(). */
export async function closePglite({ pglite, pool }: PgliteHandle): Promise<void> {
  await pool.end();
  if (!pglite.closed) await pglite.close();
}
