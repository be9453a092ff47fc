// A private PostgreSQL database per run: created on connect to `postgres`, dropped at the end.

import { randomBytes } from "node:crypto";
import pg from "pg";
import { onCleanup } from "./cleanup.js";
import type { Query } from "./deliveries.js";

export interface BenchDb {
  name: string;
  url: string;
}

function withDatabase(adminUrl: string, db: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Create sopline_bench_<random>; its drop is registered before anything can fail. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDb> {
  const name = `sopline_bench_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  onCleanup(`drop database ${name}`, () => dropDatabase(adminUrl, name));
  return { name, url: withDatabase(adminUrl, name) };
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // FORCE: a worker connection left open by a crash must not keep the database alive.
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** A pool whose end() is registered as cleanup. */
export function benchPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  let ended = false;
  // After end(), DROP DATABASE ... WITH (FORCE) may still catch a closing backend: not an error.
  pool.on("error", (e) => {
    if (!ended) console.error(`[pg] idle client error: ${e.message}`);
  });
  onCleanup("end pg pool", async () => {
    if (!ended) {
      ended = true;
      await pool.end();
    }
  });
  return pool;
}

export const poolQuery =
  (pool: pg.Pool): Query =>
  (text, params) =>
    pool.query(text, params as unknown[]);

/** The durability the server actually runs with, stated in the results. */
export async function pgDurability(q: Query): Promise<string> {
  const r = await q(
    "SELECT current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fs, current_setting('full_page_writes') AS fpw, current_setting('server_version') AS v",
  );
  const row = r.rows[0];
  return `synchronous_commit=${row.sc}, fsync=${row.fs}, full_page_writes=${row.fpw} (PostgreSQL ${String(row.v).split(" ")[0]})`;
}

/** Bytes of a relation including indexes and TOAST. */
export async function relationBytes(q: Query, relation: string): Promise<number> {
  const r = await q("SELECT pg_total_relation_size($1::regclass)::float8 AS b", [relation]);
  return Number(r.rows[0].b);
}
