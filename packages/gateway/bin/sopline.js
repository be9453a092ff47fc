#!/usr/bin/env node
// The `sopline` command. The gateway runs from its TypeScript sources through tsx (as the tests
// do), with the repository's tsconfig so @sopline/core resolves to its sources too.
//   node packages/gateway/bin/sopline.js serve --load-examples
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const rootTsconfig = fileURLToPath(new URL("../../../tsconfig.json", import.meta.url));
register({ tsconfig: fs.existsSync(rootTsconfig) ? rootTsconfig : false });

const { main } = await import("../src/server/cli.ts");
try {
  const result = await main(process.argv.slice(2));
  if (typeof result === "number") process.exitCode = result;
} catch (err) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
