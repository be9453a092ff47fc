// Size of the mini-program client: @sopline/client/wx bundled as a mini-program project would
// (esbuild, ESM, minified, graphql-ws and every dependency inlined, no Node), against its budget.
// Run: npm run bench:client   (or npx tsx bench/client-size.ts [--dry: do not write RESULTS.md])
import { parseArgs } from "node:util";
import { measureBundle, WX_BUDGET, WX_BUNDLES } from "../packages/client/scripts/measure-bundle.js";
import { machine, writeSection } from "./results.js";

const { values } = parseArgs({ options: { dry: { type: "boolean", default: false } } });
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const rows: string[] = [];
const parts: string[] = [];
let over = false;
for (const [name, code] of Object.entries(WX_BUNDLES)) {
  const size = await measureBundle(code);
  if (size.forbidden.length > 0) throw new Error(`${name} imports Node-only modules: ${size.forbidden.join(", ")}`);
  over ||= size.minified > WX_BUDGET.minified || size.gzip > WX_BUDGET.gzip;
  rows.push(`| ${name} | ${size.minified.toLocaleString("en")} (${kb(size.minified)}) | ${size.gzip.toLocaleString("en")} (${kb(size.gzip)}) | ${size.brotli.toLocaleString("en")} (${kb(size.brotli)}) |`);
  if (parts.length === 0) {
    for (const [pkg, bytes] of Object.entries(size.byPackage).sort((a, b) => b[1] - a[1])) {
      parts.push(`| ${pkg} | ${bytes.toLocaleString("en")} | ${((100 * bytes) / size.minified).toFixed(0)} % |`);
    }
  }
}

const body = [
  machine(),
  "",
  `Budget: ≤ ${kb(WX_BUDGET.minified)} minified and ≤ ${kb(WX_BUDGET.gzip)} gzip (a mini-program main package holds at most 2 MB; the client takes at most 3 % of it). Checked by packages/client/test/bundle-size.test.ts.`,
  "",
  "| bundle | minified bytes | gzip bytes | brotli bytes |",
  "| --- | ---: | ---: | ---: |",
  ...rows,
  "",
  "What the whole wx entry is made of (minified bytes in the bundle):",
  "",
  "| package | bytes | share |",
  "| --- | ---: | ---: |",
  ...parts,
].join("\n");

console.log(body);
if (!values.dry) writeSection("Client bundle size", body);
if (over) {
  console.error("\nOver budget.");
  process.exitCode = 1;
}
