// Issue 13, point 5: what the embedded database keeps in memory (the figures are in bench/RESULTS.md,
// measured by `npm run bench:weight`; this checks the two settings behind them). Linux only: it
// counts WebAssembly memories in /proc/self/smaps.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { closePglite, openPglite } from "../../src/db/pglite";

describe.runIf(process.platform === "linux")("embedded database memory", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("creates a new directory's cluster in a worker, so only the database's own WebAssembly instance stays", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sopline-pglite-memory-"));
    dirs.push(dir);
    // Counted in a process of its own: in a shared test worker, memories of earlier tests come and
    // go with the collector. In-process, initdb's instance would be a second memory (until a major collection).
    const out = execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./pglite-memory-probe.ts", import.meta.url)), dir], { encoding: "utf8" });
    expect(JSON.parse(out.trim().split("\n").at(-1)!)).toEqual({ added: 1 });
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
