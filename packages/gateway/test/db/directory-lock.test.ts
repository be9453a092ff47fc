import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { acquireDirectoryLock, DirectoryLockedError } from "../../src/db/directory-lock";
import { openDatabase } from "../../src/db/open-database";
import { createTestDatabase } from "../../src/db/test-databases";

const here = path.dirname(fileURLToPath(import.meta.url));
const holder = path.join(here, "fixtures", "hold-database.ts");

/** Starts a process that opens `dataDir` and keeps it open; resolves once it has written a row. */
async function holdInChild(dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", holder, dataDir], { cwd: here, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes(`ready ${child.pid}`) && resolve());
    child.once("exit", (code) => reject(new Error(`holder exited with ${code}: ${err}`)));
  });
  return child;
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

describe("PGlite directory lock", () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("refuses a second process, then recovers the lock of a killed one with its committed data", async () => {
    const t = await createTestDatabase("pglite", { persistent: true }); // migrated directory, reopened fast
    cleanups.push(() => t.drop());
    await t.db.close();
    const dataDir = t.url.slice("pglite:".length);

    const child = await holdInChild(dataDir);
    cleanups.push(() => killHard(child));
    const refused = await openDatabase({ url: t.url }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DirectoryLockedError);
    expect((refused as Error).message).toContain(dataDir);
    expect((refused as Error).message).toContain(`process ${child.pid}`);

    await killHard(child); // SIGKILL: no cleanup, the lock file stays behind
    expect(fs.existsSync(`${dataDir}.lock`)).toBe(true);
    t.db = await openDatabase({ url: t.url });
    const rows = await t.db.sql.query<{ name: string }>("SELECT name FROM workspaces WHERE api_key_hash = $1", [`child-${child.pid}`]);
    expect(rows).toEqual([{ name: "from-child" }]);
  });

  it("refuses a second open in the same process and frees the directory on close", async () => {
    const t = await createTestDatabase("pglite", { persistent: true });
    cleanups.push(() => t.drop());
    await expect(openDatabase({ url: t.url })).rejects.toThrow(`in use by process ${process.pid}`);
    const dataDir = t.url.slice("pglite:".length);
    expect(fs.existsSync(`${dataDir}.lock`)).toBe(true);
    await t.db.close();
    expect(fs.existsSync(`${dataDir}.lock`)).toBe(false);
    t.db = await openDatabase({ url: t.url });
  });

  it("treats a lock naming a dead process as stale, and keeps a live one", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sopline-lock-"));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const dataDir = path.join(dir, "db");
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    fs.writeFileSync(`${dataDir}.lock`, JSON.stringify({ pid: Number(dead), token: "old", dir: dataDir, at: "" }));
    const lock = acquireDirectoryLock(dataDir);
    expect(JSON.parse(fs.readFileSync(lock.file, "utf8")).pid).toBe(process.pid);
    expect(() => acquireDirectoryLock(dataDir)).toThrow(DirectoryLockedError);
    lock.release();
    expect(fs.readdirSync(dir)).toEqual([]); // no lock, no temp files left
  });
});
