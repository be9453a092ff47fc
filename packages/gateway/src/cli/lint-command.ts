// `sopline lint <files…> [--content library.yaml] [--strict]`: the core's lint warnings (daily
// sends, few touches, empty stages, missing or expired content, tags nothing sets).
import { type ContentItem, lintJourney } from "@sopline/core";
import { CliError, type Command, parseCommandArgs } from "./command.js";
import { type DataFile, problemAt, readDataFile } from "./data-files.js";
import { loadJourneys, requireFiles } from "./load-journeys.js";

export const lintCommand: Command = async (args, io) => {
  const { values, positionals } = parseCommandArgs("lint", args, { options: { content: { type: "string" }, strict: { type: "boolean", default: false } } });
  const files = requireFiles("lint", positionals);
  const library = values.content === undefined ? undefined : readLibrary(readDataFile(values.content));
  const { journeys, problems } = loadJourneys(files);
  for (const problem of problems) io.err(problem);
  let warnings = 0;
  const at = new Date();
  for (const { data, definition } of journeys) {
    const issues = lintJourney(definition, library, { at });
    warnings += issues.length;
    if (issues.length === 0) io.out(`${data.file}: no warnings`);
    for (const issue of issues) io.out(`${problemAt(data, issue.path, `warning ${issue.code}: ${issue.message}`)}`);
  }
  // Lint reads only valid definitions: an invalid one fails like validate does.
  if (problems.length > 0) {
    io.err(`${problems.length} problem${problems.length === 1 ? "" : "s"}: fix them first (sopline validate)`);
    return 1;
  }
  if (!library) io.out("(content refs not checked: pass --content <library.yaml> to check them)");
  return values.strict && warnings > 0 ? 1 : 0;
};

/** A content library file: a list of `{ ref, expiresAt? }` (other fields are allowed), or `{ contents: [...] }`. */
export function readLibrary(data: DataFile): ContentItem[] {
  const root = data.value && typeof data.value === "object" && !Array.isArray(data.value) && "contents" in data.value ? (data.value as { contents: unknown }).contents : data.value;
  const base = root === data.value ? "" : "contents";
  if (!Array.isArray(root)) throw new CliError(problemAt(data, base, "expected a list of content entries like { ref: greeting, expiresAt: 2027-01-01 }"));
  return root.map((item, i) => {
    const path = `${base}[${i}]`;
    const entry = (item ?? {}) as { ref?: unknown; expiresAt?: unknown };
    if (typeof entry.ref !== "string" || entry.ref === "") throw new CliError(problemAt(data, `${path}.ref`, `expected a content ref (a non-empty string), got ${JSON.stringify(entry.ref)}`));
    if (entry.expiresAt === undefined || entry.expiresAt === null) return { ref: entry.ref };
    // YAML reads an unquoted 2027-01-01 as a string; a Date arrives from timestamps with a time
    const expires = entry.expiresAt instanceof Date ? entry.expiresAt : new Date(String(entry.expiresAt));
    if (Number.isNaN(expires.getTime())) throw new CliError(problemAt(data, `${path}.expiresAt`, `expected a date like 2027-01-01, got ${JSON.stringify(entry.expiresAt)}`));
    return { ref: entry.ref, expiresAt: expires };
  });
}
