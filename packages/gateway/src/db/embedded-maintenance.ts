// Autovacuum's job for the embedded database. PGlite runs PostgreSQL as a single process with no
// background workers, so nothing there vacuums or analyzes on its own: dead row versions (every
// fired step and event rewrites an enrollment) would pile up in tables and indexes for ever, and the
// planner would keep the statistics of the day the tables were empty. This does what autovacuum
// does, with its default thresholds, from the gateway's own process.
import { type Polling, createPolling } from "../engine/polling.js";
import type { SqlRunner } from "./sql.js";

/** A table's counters, as pg_stat_user_tables keeps them. */
export interface TableActivity {
  /** Schema-qualified and quoted, ready for SQL. */
  table: string;
  live: number;
  dead: number;
  insertedSinceVacuum: number;
  modifiedSinceAnalyze: number;
}

// PostgreSQL's defaults: autovacuum_vacuum_threshold / _scale_factor, autovacuum_vacuum_insert_*
// (an insert-only table is vacuumed too, to keep its visibility map current) and
// autovacuum_analyze_*.
const DEAD = { base: 50, scale: 0.2 };
const INSERTED = { base: 1000, scale: 0.2 };
const MODIFIED = { base: 50, scale: 0.1 };

/** What autovacuum would do to a table now: vacuum it (and analyze), only analyze it, or nothing. */
export function maintenanceDue(t: TableActivity): "vacuum" | "analyze" | null {
  if (t.dead > DEAD.base + DEAD.scale * t.live || t.insertedSinceVacuum > INSERTED.base + INSERTED.scale * t.live) return "vacuum";
  if (t.modifiedSinceAnalyze > MODIFIED.base + MODIFIED.scale * t.live) return "analyze";
  return null;
}

export interface MaintenanceRun {
  vacuumed: string[];
  analyzed: string[];
}

/** One pass: vacuums and analyzes the tables past autovacuum's thresholds. Not inside a transaction. */
export async function maintainDatabase(sql: SqlRunner): Promise<MaintenanceRun> {
  // This session's counters reach pg_stat_user_tables at a transaction's end, at most once a second
  // unless forced; force them so the pass sees everything done so far.
  await sql.query(`SELECT pg_stat_force_next_flush()`);
  const rows = await sql.query<{ table: string; live: string; dead: string; inserted: string; modified: string }>(
    `SELECT quote_ident(schemaname) || '.' || quote_ident(relname) AS table, n_live_tup AS live, n_dead_tup AS dead,
            n_ins_since_vacuum AS inserted, n_mod_since_analyze AS modified
     FROM pg_stat_user_tables ORDER BY relname`,
  );
  const run: MaintenanceRun = { vacuumed: [], analyzed: [] };
  for (const r of rows) {
    const due = maintenanceDue({ table: r.table, live: Number(r.live), dead: Number(r.dead), insertedSinceVacuum: Number(r.inserted), modifiedSinceAnalyze: Number(r.modified) });
    if (due === "vacuum") {
      await sql.execute(`VACUUM (ANALYZE) ${r.table}`);
      run.vacuumed.push(r.table);
    } else if (due === "analyze") {
      await sql.execute(`ANALYZE ${r.table}`);
      run.analyzed.push(r.table);
    }
  }
  return run;
}

/**
 * Runs `maintainDatabase` every `intervalMs` (autovacuum's naptime: one minute), the first one
 * interval after start, one pass at a time; stop() waits for a pass in progress (call it before
 * closing the database). A pass holds PGlite's only connection while it vacuums a table, as
 * autovacuum would hold I/O.
 */
export function startEmbeddedMaintenance(sql: SqlRunner, options: { intervalMs?: number; log?: (message: string) => void } = {}): Polling {
  const { log } = options;
  const pass = async () => {
    const run = await maintainDatabase(sql);
    if (run.vacuumed.length + run.analyzed.length > 0) log?.(`maintenance: vacuumed ${run.vacuumed.join(", ") || "none"}; analyzed ${run.analyzed.join(", ") || "none"}`);
  };
  const polling = createPolling("embedded maintenance", pass, options.intervalMs ?? 60_000, log, { firstRunAfterInterval: true });
  polling.start();
  return polling;
}
