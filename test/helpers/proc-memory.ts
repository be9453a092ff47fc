// Resident memory of a process from Linux's /proc: totals (VmRSS, VmHWM) and the part held
// by WebAssembly linear memories (PGlite's PostgreSQL heap, Prisma's query compiler).
import { readFileSync, writeFileSync } from "node:fs";

const MiB = 2 ** 20;

/** VmRSS and VmHWM (peak since start or since resetPeak) in bytes. */
export function residentMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0: "5" to clear_refs), so the next peak is the load's. */
export function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

/**
 * Resident bytes of WebAssembly memories: V8 reserves each 32-bit memory as a region of several GiB
 * whose accessible head is a separate read-write mapping right before the inaccessible rest.
 */
export function wasmResident(pid: number): number[] {
  const maps: Array<{ start: bigint; end: bigint; perm: string; rss: number }> = [];
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+)/.exec(line);
    if (head) maps.push({ start: BigInt(`0x${head[1]}`), end: BigInt(`0x${head[2]}`), perm: head[3]!, rss: 0 });
    else if (line.startsWith("Rss:")) maps.at(-1)!.rss = Number(line.split(/\s+/)[1]) * 1024;
  }
  const found: number[] = [];
  maps.forEach((m, i) => {
    const before = maps[i - 1];
    if (m.perm === "---p" && m.end - m.start >= 4n * BigInt(2 ** 30) && before && before.end === m.start && before.perm === "rw-p") found.push(before.rss);
  });
  return found.sort((a, b) => b - a);
}

export const mib = (bytes: number) => Math.round(bytes / MiB);
