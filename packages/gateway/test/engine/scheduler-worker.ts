// A separate scheduler process for the multi-process test: node --import tsx scheduler-worker.ts <db url> <iso now>
import { openDatabase } from "../../src/db/index.js";
import { JourneyRegistry } from "../../src/engine/journey-registry.js";
import { createScheduler } from "../../src/engine/scheduler.js";

const [url, now] = process.argv.slice(2);
const db = await openDatabase({ url: url!, migrate: false, poolSize: 2 });
const at = new Date(now!);
// SOPLINE_CRASH_AT=<point> kills this process for real (SIGKILL) at that point of its second batch.
const crashAt = process.env.SOPLINE_CRASH_AT;
const scheduler = createScheduler({
  db, registry: new JourneyRegistry(), clock: () => at, batchSize: 25,
  onPoint: (point, batch) => {
    if (point === crashAt && batch === 1) process.kill(process.pid, "SIGKILL");
  },
});
// With SOPLINE_WAIT_FOR_GO, report readiness and wait for "go" on stdin, so that several workers
// start claiming together (process start-up times differ a lot on a busy machine).
if (process.env.SOPLINE_WAIT_FOR_GO) {
  process.stderr.write("ready\n");
  await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
}
const stats = await scheduler.runOnce(at);
await db.close();
process.stdout.write(JSON.stringify(stats));
