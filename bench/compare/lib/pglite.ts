// PGlite in-process on a temp dir. It has one connection, and the process only exits
// after close() (an internal timer re-arms), so close and rm are registered as cleanup.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { embeddedStartParams } from "../../../packages/gateway/src/db/pglite.js";
import { onCleanup } from "./cleanup.js";
import type { Query } from "./deliveries.js";

export async function openPglite(): Promise<{ db: PGlite; q: Query; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "sopline-bench-pglite-"));
  onCleanup(`rm ${dir}`, async () => rmSync(dir, { recursive: true, force: true }));
  // The settings sopline's embedded database runs with, so both PGlite runs write alike.
  const db = await PGlite.create(dir, { startParams: embeddedStartParams() });
  onCleanup("pglite.close()", async () => {
    if (!db.closed) await db.close();
  });
  const q: Query = (text, params) => db.query(text, params as any[]);
  return { db, q, dir };
}
