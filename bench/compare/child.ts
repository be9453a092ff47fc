// One measured run of one system, in its own process so maxRSS is that system's peak.
// argv[2] = JSON { module, opts }. Prints one line "@@RESULT <json>" or "@@SKIP <reason>".

import { runCleanup } from "./lib/cleanup.js";
import { NotWiredError, type SystemRunner } from "./types.js";

const { module, opts } = JSON.parse(process.argv[2] ?? "{}");
const loaders: Record<string, () => Promise<{ run: SystemRunner }>> = {
  bullmq: () => import("./bullmq.js"),
  "pg-boss": () => import("./pg-boss.js"),
  "plain-sql": () => import("./plain-sql.js"),
  sopline: () => import("./sopline.js"),
};

try {
  const load = loaders[module];
  if (!load) throw new Error(`unknown module ${module}`);
  const { run } = await load();
  const result = await run(opts);
  process.stdout.write(`@@RESULT ${JSON.stringify(result)}\n`);
} catch (e) {
  if (e instanceof NotWiredError) {
    process.stdout.write(`@@SKIP ${e.message}\n`);
  } else {
    console.error(e);
    process.exitCode = 1;
  }
} finally {
  await runCleanup();
}
