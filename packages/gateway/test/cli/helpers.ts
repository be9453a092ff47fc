import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CliIo } from "../../src/server/cli.js";

/** A CliIo that records what the command prints. */
export function captureIo(env: Record<string, string> = {}): { io: CliIo; out: string[]; err: string[]; text(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { env, out: (l) => out.push(l), err: (l) => err.push(l) }, out, err, text: () => [...out, ...err].join("\n") };
}

/** A temp directory with the given files; returns its path (removed by the returned cleanup). */
export function tempFiles(files: Record<string, string>): { dir: string; file(name: string): string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sopline-cli-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return { dir, file: (name) => path.join(dir, name), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
