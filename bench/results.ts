import { readFileSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";

/** One line describing the machine a benchmark ran on. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`;
}

/** Replaces (or appends) the `## title` section of bench/RESULTS.md, keeping the others. */
export function writeSection(title: string, body: string, file = new URL("./RESULTS.md", import.meta.url)): void {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n";
  const heading = `## ${title}`;
  const start = text.indexOf(heading);
  const section = `${heading}\n\n${body.trim()}\n`;
  let out: string;
  if (start < 0) out = `${text.trimEnd()}\n\n${section}`;
  else {
    const next = text.indexOf("\n## ", start + heading.length);
    out = `${text.slice(0, start)}${section}${next < 0 ? "" : `\n${text.slice(next + 1)}`}`;
  }
  writeFileSync(file, out.endsWith("\n") ? out : `${out}\n`);
}
