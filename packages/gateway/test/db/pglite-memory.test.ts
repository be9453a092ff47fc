// Issue 13, point 5: what the embedded database keeps in memory (the figures are in bench/RESULTS.md,
// measured by `npm run bench:weight`; this checks the two settings behind them). Linux only: it
// counts WebAssembly memories in /proc/self/smaps.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closePglite, openPglite } from "../../src/db/pglite";
import { wasmResident } from "../../../../test/helpers/proc-memory";

describe.runIf(process.platform === "linux")("embedded database memory", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("creates a new directory's cluster in a worker, so only the database's own WebAssembly instance stays", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sopline-pglite-memory-"));
    dirs.push(dir);
    const before = wasmResident(process.pid).length;
    const handle = await openPglite(path.join(dir, "db"));
    try {
      // In this process, initdb's instance would be a second memory (until a major collection).
      expect(wasmResident(process.pid).length - before).toBe(1);
      await handle.pool.query(`CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)`);
    } finally {
      await closePglite(handle);
    }
    const reopened = await openPglite(path.join(dir, "db"));
    try {
      expect((await reopened.pool.query(`SELECT n FROM kept`)).rows).toEqual([{ n: 7 }]);
    } finally {
      await closePglite(reopened);
    }
  });

  it("keeps PostgreSQL's buffer pool small: it is all resident in the WebAssembly memory", async () => {
    const handle = await openPglite("memory://");
    try {
      expect((await handle.pool.query(`SHOW shared_buffers`)).rows).toEqual([{ shared_buffers: "16MB" }]);
    } finally {
      await closePglite(handle);
    }
  });
});
