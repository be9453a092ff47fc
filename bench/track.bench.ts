// Tracked-link opens (issue 16, points 1 and 6): how many beacon opens per second the gateway
// records on PostgreSQL, and their latency. Each open is POST /t/<token>/open over HTTP (keep-alive)
// to the gateway's Node handler: token verify (HMAC), the tracked delivery (cached after its first
// open), the per-address limit, and the event queued for the event ingest (group commit), which
// advances the customer's enrollment (the journey has a transition on content.opened, so each
// customer's first open also moves their stage).
// The load comes from autocannon in a child process (bench/lib/track-load.mjs), so the client does
// not share the server's event loop; the same client against a bare Node server answering 204,
// before and after, gives the ceiling of this machine at that moment. Two runs: opens only (the
// aim), and whole page views (open, two heartbeats, pagehide). Every page view has its own client
// address (X-Forwarded-For), so the per-address limit of opens never bites.
// Aim: ≥ 5,000 opens/s with p99 < 20 ms.
// Run: npm run bench:track [-- --customers 20000 --opens 60000 --visits 20000 --connections 32 --dry]
import { randomBytes } from "node:crypto";
import os from "node:os";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { fileURLToPath } from "node:url";
import type { JourneyDefinition } from "@sopline/core";
import { createTestDatabase } from "../packages/gateway/src/db/test-databases.js";
import { enrollCustomers } from "../packages/gateway/src/engine/enroll.js";
import { emptyNotices } from "../packages/gateway/src/engine/persist-advances.js";
import { createGateway } from "../packages/gateway/src/server/create-gateway.js";
import { machine, writeSection } from "./results.js";

const { values } = parseArgs({
  options: {
    customers: { type: "string", default: "20000" },
    opens: { type: "string", default: "60000" },
    connections: { type: "string", default: "32" },
    visits: { type: "string", default: "20000" },
    dry: { type: "boolean", default: false },
    /** Write a CPU profile (.cpuprofile, for Chrome DevTools) of this process during the opens-only run. */
    profile: { type: "string" },
  },
});
const CUSTOMERS = Number(values.customers);
const OPENS = Number(values.opens);
const CONNECTIONS = Number(values.connections);
/** Requests of the page-view run: each view is an open, two heartbeats and a pagehide. */
const VISIT_REQUESTS = Number(values.visits) * 4;
const LOADER = fileURLToPath(new URL("./lib/track-load.mjs", import.meta.url));
const CLOCK_TICKS = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU time in these

interface LoadResult {
  requests: number;
  seconds: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  opensAnswered: number;
  /** CPU of the load generator during the run. */
  cpuMs: number;
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
}

const journey: JourneyDefinition = {
  id: "bench-read", version: 1, timezone: "Asia/Shanghai", entry: "new",
  stages: [
    { id: "new", sop: [{ id: "case", after: "0m", channel: "webhook", content: "case-1" }, { id: "later", after: "30d", channel: "webhook", content: "case-1" }] },
    { id: "interested", sop: [{ id: "trial", after: "1d", channel: "webhook", content: "case-1" }] },
  ],
  transitions: [{ from: "new", to: "interested", on: "content.opened" }],
};

/** Starts the V8 CPU profiler of this process; the returned function stops it and gives the profile. */
async function startProfile(): Promise<() => Promise<object>> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return async () => {
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    return profile;
  };
}

const started = Date.now();
const loadAtStart = os.loadavg();
const t = await createTestDatabase("postgres", { open: { poolSize: 10 } });
try {
  const db = t.db;
  const tokens: string[] = [];
  const gateway = await createGateway({
    db,
    logger: false,
    channelAdapters: [{ channel: "webhook", async deliver(d) {
      const m = /\/t\/([A-Za-z0-9_-]+)/.exec(JSON.stringify(d.contentBody));
      if (m) tokens.push(m[1]!);
      return { status: "sent" };
    } }],
    tracking: { publicUrl: "https://sop.example.com", trustProxy: true },
    secretKey: randomBytes(32).toString("base64"),
  });
  const [ws] = await db.sql.query<{ id: string }>(`INSERT INTO workspaces (name, api_key_hash) VALUES ('bench-track', md5(random()::text)) RETURNING id`);
  const workspaceId = ws!.id;
  await db.sql.execute(`INSERT INTO journeys (workspace_id, key, version, definition) VALUES ($1, $2, 1, $3::jsonb)`, [workspaceId, journey.id, JSON.stringify(journey)]);
  await db.sql.execute(`INSERT INTO contents (workspace_id, ref, title, body, type) VALUES ($1, 'case-1', 'Case', $2::jsonb, 'case')`, [
    workspaceId, JSON.stringify({ text: "客户案例 https://example.com/case-1", attachments: [{ msgtype: "link", link: { title: "Trial", url: "https://example.com/trial" } }] }),
  ]);
  const ids = (await db.sql.query<{ id: string }>(`INSERT INTO customers (workspace_id, external_id) SELECT $1, 'c' || g FROM generate_series(1, $2::int) g RETURNING id`, [workspaceId, CUSTOMERS])).map((r) => r.id);
  const now = new Date();
  for (let i = 0; i < ids.length; i += 1_000) {
    await db.sql.transaction((tx) => enrollCustomers(tx, gateway.registry, ids.slice(i, i + 1_000).map((id) => ({ workspaceId, customer: { id }, journeyKey: journey.id })), now, emptyNotices()));
  }
  const rendered = performance.now();
  await gateway.channels.deliveryWorker.runOnce(new Date());
  const renderSeconds = (performance.now() - rendered) / 1000;
  console.log(`seeded ${CUSTOMERS} customers in ${((Date.now() - started) / 1000).toFixed(0)} s, rendered ${tokens.length} deliveries with tracked links in ${renderSeconds.toFixed(1)} s`);

  const server = http.createServer(gateway.handler);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A bare Node server answering 204 in this same process: what HTTP alone costs here, now.
  const bare = http.createServer((req, res) => req.resume().once("end", () => res.writeHead(204).end()));
  bare.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
  const bareBase = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;

  // CPU of PostgreSQL's backends for this database, from /proc. The pool closes idle connections and
  // opens new ones, so the backends are sampled through the run: a backend's last sample counts
  // (one born during the run starts from 0).
  const pgCpuSampler = () => {
    const base = new Map<number, number>();
    const last = new Map<number, number>();
    let first = true;
    const cpuOf = (pid: number) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS; // utime + stime (fields 14, 15)
      } catch {
        return undefined; // a backend that ended since
      }
    };
    const sample = async () => {
      const rows = await db.sql.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
      for (const { pid } of rows) {
        const ms = cpuOf(Number(pid));
        if (ms === undefined) continue;
        if (!base.has(Number(pid))) base.set(Number(pid), first ? ms : 0);
        last.set(Number(pid), ms);
      }
      first = false;
    };
    const timer = setInterval(() => void sample().catch(() => undefined), 250);
    const started = sample();
    return async () => {
      clearInterval(timer);
      await started;
      await sample();
      let total = 0;
      for (const [pid, ms] of last) total += ms - base.get(pid)!;
      return total;
    };
  };

  const load = (target: string, mix: "open" | "visit", amount: number, run: string, tokenList: string[]) =>
    new Promise<LoadResult>((resolve, reject) => {
      const env = { ...process.env };
      delete env.NODE_OPTIONS; // no tsx loader, no profiler flags: plain node runs the load
      const child = spawn(process.execPath, [LOADER], { env, stdio: ["pipe", "pipe", "inherit"] });
      child.stdin.end(JSON.stringify({ base: target, tokens: tokenList, mix, amount, connections: CONNECTIONS, run }));
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.once("error", reject);
      child.once("exit", (code) => {
        if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
        resolve(JSON.parse(out.trim().split("\n").at(-1)!) as LoadResult);
      });
    });

  const countEvents = async () =>
    new Map(
      (await db.sql.query<{ name: string; n: string }>(`SELECT name, count(*) AS n FROM events WHERE workspace_id = $1 GROUP BY name`, [workspaceId])).map((r) => [r.name, Number(r.n)]),
    );
  const measure = async (target: string, mix: "open" | "visit", amount: number, run: string, tokenList: string[], tracked: boolean) => {
    const before = tracked ? await countEvents() : new Map<string, number>();
    const cpu0 = process.cpuUsage();
    const written0 = gateway.tracking!.recorder.written();
    const pgCpu = tracked ? pgCpuSampler() : async () => 0;
    const out = await load(target, mix, amount, run, tokenList);
    const answeredAt = performance.now();
    // Until every event of the run is committed.
    if (tracked) await gateway.tracking!.recorder.idle();
    const tail = (performance.now() - answeredAt) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const written = gateway.tracking!.recorder.written();
    const after = tracked ? await countEvents() : new Map<string, number>();
    const stored = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    return {
      ...out,
      clientCpuMs: out.cpuMs,
      recordedSeconds: out.seconds + tail,
      serverCpuMs: (cpu.user + cpu.system) / 1000,
      pgCpuMs: await pgCpu(),
      stored: { opened: stored("content.opened"), read: stored("content.read") },
      batches: written.batches - written0.batches,
    };
  };

  const bareBefore = await measure(bareBase, "open", OPENS, "bare1", ["x"], false);
  await measure(base, "open", Math.min(5_000, OPENS), "warm", tokens, true); // JIT, connections, the tracked-row cache
  const profiler = values.profile ? await startProfile() : undefined;
  const opens = await measure(base, "open", OPENS, "open", tokens, true);
  if (profiler) writeFileSync(values.profile!, JSON.stringify(await profiler()));
  const visit = await measure(base, "visit", VISIT_REQUESTS, "visit", tokens, true);
  // The ingest alone: the same kind of content.opened events recorded straight into the recorder (no
  // HTTP, no handler), in batches of the size the opens run had: the ingest's share of an open.
  const batchSize = Math.max(1, Math.round(opens.stored.opened / Math.max(1, opens.batches)));
  const direct = await (async () => {
    const count = Math.min(OPENS, 20_000);
    const pgCpu = pgCpuSampler();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < count; i += batchSize) {
      const group: Promise<void>[] = [];
      for (let j = i; j < Math.min(count, i + batchSize); j++) {
        const c = (j % CUSTOMERS) + 1;
        group.push(gateway.tracking!.recorder.record(workspaceId, {
          id: `sl:o:direct-${j}`, customer: `c${c}`, customerIdKind: "external", name: "content.opened", at: new Date(),
          data: { deliveryKey: `bench-read:1:c${c}:case:0000000000000`, journey: journey.id, stage: "interested", step: "case", content: "case-1", link: "https://example.com/case-1", linkIndex: 0 },
        }));
      }
      await Promise.all(group);
    }
    const cpu = process.cpuUsage(cpu0);
    return { count, seconds: (performance.now() - t0) / 1000, cpuMs: (cpu.user + cpu.system) / 1000, pgCpuMs: await pgCpu() };
  })();
  const bareAfter = await measure(bareBase, "open", OPENS, "bare2", ["x"], false);
  const load1 = os.loadavg();
  const moved = Number((await db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM enrollments WHERE workspace_id = $1 AND stage = 'interested'`, [workspaceId]))[0]!.n);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => bare.close(() => resolve()));
  await gateway.stop();

  const n = (x: number) => Math.round(x).toLocaleString("en");
  const us = (ms: number, count: number) => ((ms / count) * 1000).toFixed(0);
  const rate = opens.opensAnswered / opens.recordedSeconds;
  const bareRate = (bareBefore.requests / bareBefore.seconds + bareAfter.requests / bareAfter.seconds) / 2;
  const bareAvgCpu = (bareBefore.serverCpuMs / bareBefore.requests + bareAfter.serverCpuMs / bareAfter.requests) / 2; // ms per request
  const met = rate >= 5_000 && opens.latency.p99 < 20;
  const lines = [
    `Load: autocannon in its own process (${CONNECTIONS} keep-alive connections, one request in flight on each; each page view from its own client address, so the per-address limit never bites), the gateway's Node server in this process, PostgreSQL on the same machine: all three share the ${os.cpus().length} cores. Load average ${loadAtStart.map((l) => l.toFixed(1)).join(" / ")} at the start, ${load1.map((l) => l.toFixed(1)).join(" / ")} at the end.`,
    "",
    `| run | requests | answered /s | p50 | p90 | p99 | max | CPU per request: gateway process / PostgreSQL / load generator |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- |`,
    `| bare Node server answering 204 (before) | ${n(bareBefore.requests)} | ${n(bareBefore.requests / bareBefore.seconds)} | ${bareBefore.latency.p50} ms | ${bareBefore.latency.p90} ms | ${bareBefore.latency.p99} ms | ${bareBefore.latency.max} ms | ${us(bareBefore.serverCpuMs, bareBefore.requests)} µs / – / ${us(bareBefore.clientCpuMs, bareBefore.requests)} µs |`,
    `| opens only (POST /t/<token>/open) | ${n(opens.requests)} | ${n(opens.requests / opens.seconds)} | ${opens.latency.p50} ms | ${opens.latency.p90} ms | **${opens.latency.p99} ms** | ${opens.latency.max} ms | ${us(opens.serverCpuMs, opens.requests)} µs / ${us(opens.pgCpuMs, opens.requests)} µs / ${us(opens.clientCpuMs, opens.requests)} µs |`,
    `| page views (open, 2 heartbeats, pagehide) | ${n(visit.requests)} | ${n(visit.requests / visit.seconds)} (${n(visit.opensAnswered / visit.seconds)} opens/s) | ${visit.latency.p50} ms | ${visit.latency.p90} ms | ${visit.latency.p99} ms | ${visit.latency.max} ms | ${us(visit.serverCpuMs, visit.requests)} µs / ${us(visit.pgCpuMs, visit.requests)} µs / ${us(visit.clientCpuMs, visit.requests)} µs |`,
    `| bare Node server answering 204 (after) | ${n(bareAfter.requests)} | ${n(bareAfter.requests / bareAfter.seconds)} | ${bareAfter.latency.p50} ms | ${bareAfter.latency.p90} ms | ${bareAfter.latency.p99} ms | ${bareAfter.latency.max} ms | ${us(bareAfter.serverCpuMs, bareAfter.requests)} µs / – / ${us(bareAfter.clientCpuMs, bareAfter.requests)} µs |`,
    "",
    `- Opens over ${n(tokens.length)} tracked deliveries of ${n(CUSTOMERS)} enrolled customers, on PostgreSQL: **${n(rate)} opens/s recorded** (from the first request until the last event committed; answered at ${n(opens.opensAnswered / opens.seconds)}/s, ${Math.round((100 * opens.requests) / opens.seconds / bareRate)} % of the bare server's rate), p99 **${opens.latency.p99} ms** (aim ≥ 5,000/s with p99 < 20 ms: ${met ? "met" : "NOT met"}). Latencies as autocannon measures them (whole milliseconds).`,
    `- Where an open's CPU goes (opens-only run; CPU time, so other helpers' load inflates it less than the rates): the gateway process ${us(opens.serverCpuMs, opens.requests)} µs, PostgreSQL ${us(opens.pgCpuMs, opens.requests)} µs, the load generator ${us(opens.clientCpuMs, opens.requests)} µs. Of the gateway's, HTTP itself (the bare server's, same client) is ${us(bareAvgCpu, 1)} µs; the ingest of the event (recorded straight into the recorder in ${n(batchSize)}-event batches, the opens run's average: ${n(direct.count)} events at ${n(direct.count / direct.seconds)}/s) ${us(direct.cpuMs, direct.count)} µs here plus ${us(direct.pgCpuMs, direct.count)} µs in PostgreSQL; the tracked path between them (token, cached delivery, limit, body, queueing) the remaining ${us(opens.serverCpuMs - opens.requests * bareAvgCpu - (direct.cpuMs / direct.count) * opens.requests, opens.requests)} µs. All of it on ${os.cpus().length} cores: ${n((os.cpus().length * 1e6) / ((opens.serverCpuMs + opens.pgCpuMs + opens.clientCpuMs) / opens.requests * 1000))} opens/s at most if nothing else ran and every core were busy, and ${n(1e6 / (opens.serverCpuMs / opens.requests * 1000))}/s for the gateway's single event loop alone.`,
    `- Events stored: ${n(opens.stored.opened)} content.opened for ${n(opens.opensAnswered)} opens answered 204 (${opens.non2xx} other answers, ${opens.errors} errors); in the page-view run ${n(visit.stored.opened)} content.opened and ${n(visit.stored.read)} content.read for ${n(visit.opensAnswered)} page views opened. Every page view has its own id, so none is a repeat; repeats of one page view's open (same token and page view id) would be stored once. ${n(moved)} customers moved to "interested" by the journey's transition on content.opened.`,
    `- Rendering the deliveries with tracked links (delivery worker, one INSERT per claimed batch of 100): ${n(tokens.length)} in ${renderSeconds.toFixed(1)} s.`,
    `- A beacon is answered once verified and queued; its event is committed in the next ingest batch (group commit: one ingest transaction per batch of up to 1,000 events that arrived meanwhile). Past a backlog of 10,000 queued events the answers wait for their commit (backpressure). The gateway process's CPU covers HTTP, the tracked path and the ingest batches; PostgreSQL's is that of this database's backends.`,
    "",
    `${machine()} nproc ${os.cpus().length}. Whole run ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  ];
  console.log(lines.join("\n"));
  if (!values.dry) writeSection("Tracked-link opens (npm run bench:track)", lines.join("\n"));
} finally {
  await t.drop();
}
