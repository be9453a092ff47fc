// Spawns one child run and reads its single result line. Bounded by a timeout;
// SIGINT on the parent is forwarded so the child's own cleanup runs.

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Result, RunOptions } from "./types.js";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));

export type ChildOutcome = { kind: "result"; result: Result } | { kind: "skip"; reason: string } | { kind: "error"; reason: string };

let current: ChildProcess | null = null;
export let interrupted = false;
process.on("SIGINT", () => {
  // Once only: the child cleans up on its first signal; it may get one from the terminal too.
  if (interrupted) return;
  interrupted = true;
  current?.kill("SIGTERM");
});

export function runChild(module: string, opts: RunOptions, timeoutMs: number): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    // tsx is resolved from the repo root, where it is installed.
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", CHILD, JSON.stringify({ module, opts })], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    current = child;
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    const term = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    const kill = setTimeout(() => child.kill("SIGKILL"), timeoutMs + 30_000);
    child.on("close", (code, signal) => {
      clearTimeout(term);
      clearTimeout(kill);
      current = null;
      const res = /^@@RESULT (.+)$/m.exec(out);
      const skip = /^@@SKIP (.+)$/m.exec(out);
      if (res) resolve({ kind: "result", result: JSON.parse(res[1]!) });
      else if (skip) resolve({ kind: "skip", reason: skip[1]! });
      else resolve({ kind: "error", reason: `child exited with ${signal ?? code}` });
    });
  });
}
