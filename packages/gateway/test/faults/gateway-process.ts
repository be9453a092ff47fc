// A gateway in its own process for the fault tests: node --import tsx gateway-process.ts
// Env: DATABASE_URL, REDIS_URL (optional), SOPLINE_ADMIN_KEY, CLOCK (ISO). Nothing here catches
// unhandled rejections or 'error' events: Node's defaults end the process, as in production.
// stdout: "ready <url>" once listening. stdin: "clock <ISO>" moves the injected clock (answered
// "clock <ISO>" on stdout), so the test decides when steps are due, never a real timer.
import { createInterface } from "node:readline";
import { createGateway } from "../../src/server/create-gateway.js";

let now = new Date(process.env.CLOCK!);
const gateway = await createGateway({
  databaseUrl: process.env.DATABASE_URL,
  redisUrl: process.env.REDIS_URL || undefined,
  adminKey: process.env.SOPLINE_ADMIN_KEY,
  clock: () => now,
  schedulerIntervalMs: 50,
  log: (line) => process.stderr.write(`${line}\n`),
});
const { url } = await gateway.start(0, "127.0.0.1");
process.stdout.write(`ready ${url}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const [command, arg] = line.trim().split(" ");
  if (command === "clock") {
    now = new Date(arg!);
    process.stdout.write(`clock ${now.toISOString()}\n`);
  }
}
// stdin closed: shut down
await gateway.stop();
