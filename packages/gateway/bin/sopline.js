#!/usr/bin/env node
// The `sopline` command: the compiled CLI (dist/cli.js, built by `npm run build`), no tsx needed.
// In this repository without a build, `npx tsx packages/gateway/src/server/cli.ts …` runs the sources.
//   npx sopline serve --load-examples
const { main } = await import("../dist/cli.js");
try {
  const result = await main(process.argv.slice(2));
  if (typeof result === "number") process.exitCode = result;
} catch (err) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
