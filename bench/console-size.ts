// First load of the operator console (/console): what a browser fetches to show the board after
// sign-in — index.html, the entry script and the chunks it imports statically, the stylesheet — in
// gzip bytes, against the 250 KB budget; plus the Noto Sans SC subsets (woff2, by unicode-range)
// the console's own Chinese labels need, and the chunks loaded later (journeys editor, content).
// Run: npm run bench:console   (or npx tsx bench/console-size.ts --dry: do not write RESULTS.md)
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { buildConsole, CONSOLE_SOURCE } from "../packages/gateway/scripts/build-console.js";
import { machine, writeSection } from "./results.js";

const BUDGET_GZIP = 250 * 1024;
const { values } = parseArgs({ options: { dry: { type: "boolean", default: false } } });
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const { outDir } = await buildConsole();
const assets = path.join(outDir, "assets");
const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).byteLength;

/** The entry and every chunk it imports statically (dynamic import() chunks load on their page). */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(path.join(assets, file), "utf8");
    for (const m of code.matchAll(/(?:^|[;}\n])\s*import\s*(?:[\w$*{}\s,]*from\s*)?["']\.\/([^"']+)["']/g)) visit(m[1]!);
  };
  visit(entry);
  return seen;
}

const html = readFileSync(path.join(outDir, "index.html"), "utf8");
const entry = /assets\/(app-[\w-]+\.js)/.exec(html)![1]!;
const styles = /assets\/(styles-[\w-]+\.css)/.exec(html)![1]!;
const first = staticGraph(entry);
const jsFiles = readdirSync(assets).filter((f) => f.endsWith(".js"));
const later = jsFiles.filter((f) => !first.has(f));

const rows: Array<[string, number, number]> = [["index.html", Buffer.byteLength(html), gzipSync(html, { level: 9 }).byteLength]];
for (const f of first) rows.push([f === entry ? `${f} (entry)` : f, statSync(path.join(assets, f)).size, gz(path.join(assets, f))]);
rows.push([styles, statSync(path.join(assets, styles)).size, gz(path.join(assets, styles))]);
const firstGzip = rows.reduce((sum, r) => sum + r[2], 0);

// The font subsets whose unicode-range covers a character of the console's Chinese labels.
const css = readFileSync(path.join(assets, styles), "utf8");
const labels = readFileSync(path.join(CONSOLE_SOURCE, "src/i18n.ts"), "utf8");
const codes = new Set([...labels].map((c) => c.codePointAt(0)!).filter((c) => c > 0x7f));
const faces = [...css.matchAll(/@font-face\s*{([^}]*)}/g)].map((m) => ({
  file: /url\(["']?\.?\/?([^"')]+\.woff2)/.exec(m[1]!)![1]!,
  ranges: /unicode-range:([^;}]+)/.exec(m[1]!)![1]!.split(",").map((r) => {
    const [a, b] = r.trim().replace(/^U\+/i, "").split("-");
    return [parseInt(a!, 16), parseInt(b ?? a!, 16)] as const;
  }),
}));
const needed = faces.filter((f) => [...codes].some((c) => f.ranges.some(([a, b]) => c >= a && c <= b)));
const fontBytes = (list: typeof faces) => list.reduce((sum, f) => sum + statSync(path.join(assets, f.file)).size, 0);

const body = [
  machine(),
  "",
  `Budget: the first load (HTML, entry script and its static chunks, stylesheet) ≤ ${kb(BUDGET_GZIP)} gzip. Fonts are separate: woff2 is already compressed, and each subset is fetched only when the page shows a character in its unicode-range.`,
  "",
  "| first load | bytes | gzip bytes |",
  "| --- | ---: | ---: |",
  ...rows.map(([name, bytes, gzip]) => `| ${name} | ${bytes.toLocaleString("en")} | ${gzip.toLocaleString("en")} |`),
  `| **total** | | **${firstGzip.toLocaleString("en")} (${kb(firstGzip)})** |`,
  "",
  `Noto Sans SC 400: ${faces.length} subsets, ${kb(fontBytes(faces))} in all; the console's Chinese labels need ${needed.length} of them, ${kb(fontBytes(needed))} (customer names and content add the subsets of their characters).`,
  "",
  `Loaded on first visit of their page: ${later.map((f) => `${f} ${kb(gz(path.join(assets, f)))} gzip`).join(", ")} (the journeys editor and the content page, with the core's engine for preview, lint and coverage; the metrics page).`,
].join("\n");

console.log(body);
if (!values.dry) writeSection("Console first load (npm run bench:console)", body);
if (firstGzip > BUDGET_GZIP) {
  console.error("\nOver budget.");
  process.exitCode = 1;
}
