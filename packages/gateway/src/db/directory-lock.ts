// Exclusive lock on a PGlite data directory. Two processes writing one PGlite directory corrupt
// it silently, so the second opener must fail loudly. The lock is a file `<dir>.lock` next to
// the directory (PGlite owns the directory's contents) holding the owner's pid.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

interface LockInfo {
  pid: number;
  token: string;
  /** Linux process start time (clock ticks since boot): detects a pid reused by another process. */
  start?: string | undefined;
  dir: string;
  at: string;
}

export class DirectoryLockedError extends Error {
  readonly code = "DIRECTORY_LOCKED";
  constructor(
    readonly dir: string,
    readonly pid: number,
    readonly lockFile: string,
  ) {
    super(
      `PGlite data directory ${dir} is in use by process ${pid} (lock file ${lockFile}). ` +
        `Stop that process or use another data directory; delete the lock file only if that process is gone.`,
    );
    this.name = "DirectoryLockedError";
  }
}

export interface DirectoryLock {
  readonly file: string;
  release(): void;
}

// Locks held by this process: a second open of the same directory in-process is refused too.
const heldHere = new Set<string>();

function processStart(pid: number): string | undefined {
  try {
    // Field 22 of /proc/<pid>/stat; the command name (field 2) may contain spaces, so cut after ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function isAlive(info: LockInfo): boolean {
  if (info.pid === process.pid) return heldHere.has(info.dir); // e.g. pid 1 again after a container restart
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false; // ESRCH: no such process
  }
  const start = processStart(info.pid);
  return !(info.start && start && info.start !== start);
}

function readInfo(file: string): LockInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as LockInfo;
  } catch {
    return undefined; // vanished or unreadable: treated as stale
  }
}

export function acquireDirectoryLock(dataDir: string): DirectoryLock {
  const dir = path.resolve(dataDir);
  const file = `${dir}.lock`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const info: LockInfo = { pid: process.pid, token: randomUUID(), start: processStart(process.pid), dir, at: new Date().toISOString() };
  // Write the full content first, then link it into place: link() fails atomically if a lock
  // exists, and a reader never sees a half-written lock.
  const tmp = `${file}.${info.token}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info));
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(tmp, file);
        heldHere.add(dir);
        return { file, release: () => release(file, info) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const holder = readInfo(file);
      if (holder && isAlive(holder)) throw new DirectoryLockedError(dir, holder.pid, file);
      removeStale(file, holder);
    }
    throw new Error(`Could not lock PGlite data directory ${dir}: lock file ${file} keeps changing`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

// Move the stale lock aside atomically, so two processes recovering at once cannot both delete
// a fresh lock; if what we moved turns out to be a live lock, put it back.
function removeStale(file: string, seen: LockInfo | undefined): void {
  const aside = `${file}.stale.${process.pid}.${randomUUID()}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // someone else moved it: retry
  }
  const moved = readInfo(aside);
  if (moved && moved.token !== seen?.token && isAlive(moved)) {
    try {
      fs.linkSync(aside, file);
    } catch {
      /* a third process holds it now; our retry will see it */
    }
  }
  fs.rmSync(aside, { force: true });
}

function release(file: string, info: LockInfo): void {
  heldHere.delete(info.dir);
  if (readInfo(file)?.token === info.token) fs.rmSync(file, { force: true });
}
