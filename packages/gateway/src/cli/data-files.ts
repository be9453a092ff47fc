// Reads journey definitions, content libraries and event lists from JSON or YAML files (YAML is a
// superset of JSON, so one parser reads both and reports a syntax error's line and column).
import fs from "node:fs";
import { type Document, LineCounter, isNode, parseDocument } from "yaml";
import { CliError } from "./command.js";

export interface DataFile {
  /** The file as the user named it (messages say this). */
  file: string;
  value: unknown;
  /** The line (1-based) of a path like `stages[0].sop[1].after`, or of its nearest present parent. */
  lineOf(path: string): number | undefined;
}

/** Reads and parses one file; a missing file or bad syntax throws a CliError naming the file (and line). */
export function readDataFile(file: string): DataFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CliError(`${file}: cannot read it (${e.code === "ENOENT" ? "no such file" : e.code === "EISDIR" ? "a directory, not a file" : e.message})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new CliError(
      doc.errors
        .slice(0, 5)
        .map((e) => {
          const at = e.linePos?.[0];
          return `${file}${at ? `:${at.line}:${at.col}` : ""}: not valid YAML or JSON: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`;
        })
        .join("\n"),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1_000 });
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message}`);
  }
  return { file, value, lineOf: (path) => lineOf(doc, lines, path) };
}

function lineOf(doc: Document, lines: LineCounter, path: string): number | undefined {
  const keys = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
  for (let n = keys.length; n > 0; n--) {
    const node = doc.getIn(keys.slice(0, n), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** `file: path: message (line n)` — how every command reports a problem inside a file. */
export function problemAt(data: DataFile, path: string, message: string): string {
  const line = path ? data.lineOf(path) : undefined;
  return `${data.file}: ${path || "(root)"}: ${message}${line ? ` (line ${line})` : ""}`;
}
