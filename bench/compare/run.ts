// bench:compare: runs each system in its own child processes, one after the other
// (round-robin over systems), 1 warm-up round excluded + median of --runs, and writes bench/RESULTS.md "Comparison"
// plus bench/compare-steps-per-sec.svg.
//
//   tsx bench/compare/run.ts --n 10000 [--runs 3] [--systems bullmq,pg-boss] [--tune] [--no-write]

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { interrupted, REPO_ROOT, runChild } from "./child-process.js";
import { describeMachine } from "./machine.js";
import { chartFile, comparisonHeading, renderComparison, writeSection, type TuneRow } from "./report.js";
import { summarize, type Summary } from "./stats.js";
import { barChart } from "./svg.js";
import { SYSTEMS, type Knobs, type SystemEntry } from "./systems.js";
import type { Result, RunOptions } from "./types.js";

const { values: a } = parseArgs({
  options: {
    n: { type: "string", default: process.env.BENCH_N ?? "2000" },
    runs: { type: "string", default: process.env.BENCH_RUNS ?? "3" },
    warmup: { type: "string", default: "1" },
    systems: { type: "string", default: SYSTEMS.map((s) => s.id).join(",") },
    tune: { type: "boolean", default: false },
    "tune-n": { type: "string" },
    "window-ms": { type: "string", default: "1000" },
    "max-fire-ms": { type: "string", default: "900000" },
    "pg-url": { type: "string", default: process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
    "redis-url": { type: "string", default: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379" },
    "no-write": { type: "boolean", default: false },
  },
});

const n = Number(a.n);
const runs = Math.max(1, Number(a.runs));
const warmup = Math.max(0, Number(a.warmup));
// Tune at the measured N (capped): the best batch size depends on the backlog size.
const tuneN = Number(a["tune-n"] ?? Math.min(n, 10_000));
const maxFireMs = Number(a["max-fire-ms"]);
if (!Number.isInteger(n) || n < 1) throw new Error(`--n must be a positive integer, got ${a.n}`);
const wanted = a.systems.split(",").map((s) => s.trim());
const systems = SYSTEMS.filter((s) => wanted.includes(s.id));
const unknown = wanted.filter((w) => !SYSTEMS.some((s) => s.id === w));
if (unknown.length) throw new Error(`unknown systems: ${unknown.join(", ")}; known: ${SYSTEMS.map((s) => s.id).join(", ")}`);

function options(sys: SystemEntry, knobs: Knobs, customers: number): RunOptions {
  return {
    n: customers,
    batchSize: knobs.batchSize,
    concurrency: knobs.concurrency,
    enqueueBatch: knobs.enqueueBatch,
    enqueueConcurrency: knobs.enqueueConcurrency,
    extra: { ...knobs.enqueueExtra, ...knobs.fireExtra },
    database: sys.database,
    pgUrl: a["pg-url"],
    redisUrl: a["redis-url"],
    windowMs: Number(a["window-ms"]),
    maxFireMs,
  };
}

const childTimeout = maxFireMs + 600_000;
const knobText = (k: Knobs) =>
  `batch ${k.batchSize}, conc ${k.concurrency}, enqueue ${k.enqueueBatch}×${k.enqueueConcurrency}` +
  Object.entries({ ...k.enqueueExtra, ...k.fireExtra })
    .map(([x, v]) => `, ${x} ${v}`)
    .join("");

/** Try each candidate once at tuneN; keep the best fire knobs and the best enqueue knobs. */
async function tune(sys: SystemEntry, rows: TuneRow[]): Promise<Knobs> {
  if (sys.candidates.length === 0) return sys.defaults;
  console.error(`[tune] ${sys.id}: warm-up, then ${sys.candidates.length} candidates at n=${tuneN}`);
  await runChild(sys.module, options(sys, sys.defaults, tuneN), childTimeout);
  const tried: { k: Knobs; r: Result }[] = [];
  for (const k of sys.candidates) {
    if (interrupted) break;
    const o = await runChild(sys.module, options(sys, k, tuneN), childTimeout);
    if (o.kind === "skip") return sys.defaults;
    if (o.kind === "error" || o.result.misses > 0) continue; // a fast run that lost steps is not a candidate
    tried.push({ k, r: o.result });
    console.error(`[tune] ${sys.id} ${knobText(k)}: fire ${Math.round(o.result.firePerSec)}/s, enqueue ${Math.round(o.result.enqueuePerSec)}/s`);
  }
  if (tried.length === 0) return sys.defaults;
  const fire = tried.reduce((b, t) => (t.r.firePerSec > b.r.firePerSec ? t : b));
  const enq = tried.reduce((b, t) => (t.r.enqueuePerSec > b.r.enqueuePerSec ? t : b));
  for (const t of tried) {
    const chosen = [t === fire ? "fire" : "", t === enq ? "enqueue" : ""].filter(Boolean).join(" + ") || "—";
    rows.push({ id: sys.id, knobs: knobText(t.k), firePerSec: t.r.firePerSec, enqueuePerSec: t.r.enqueuePerSec, chosen });
  }
  // Fire knobs and enqueue knobs act in separate phases, so they combine.
  return {
    batchSize: fire.k.batchSize,
    concurrency: fire.k.concurrency,
    fireExtra: fire.k.fireExtra,
    enqueueBatch: enq.k.enqueueBatch,
    enqueueConcurrency: enq.k.enqueueConcurrency,
    enqueueExtra: enq.k.enqueueExtra,
  };
}

async function main(): Promise<void> {
  const machine = await describeMachine(a["pg-url"], a["redis-url"]);
  console.error(`[compare] n=${n}, ${warmup} warm-up + ${runs} runs, systems: ${systems.map((s) => s.id).join(", ")}`);
  const summaries: Summary[] = [];
  const skipped: { id: string; reason: string }[] = [];
  const failed: { id: string; reason: string }[] = [];
  const tuning: TuneRow[] = [];

  const knobs = new Map<string, Knobs>();
  for (const sys of systems) {
    if (interrupted) break;
    knobs.set(sys.id, a.tune ? await tune(sys, tuning) : sys.defaults);
  }

  // Rounds, not system after system: load from other users of this shared machine then
  // falls on every system alike instead of on whichever ran during a busy minute.
  const all = new Map<string, Result[]>(systems.map((s) => [s.id, []]));
  const stopped = new Set<string>();
  for (let i = 0; i < warmup + runs && !interrupted; i++) {
    for (const sys of systems) {
      if (stopped.has(sys.id) || interrupted) continue;
      const o = await runChild(sys.module, options(sys, knobs.get(sys.id) ?? sys.defaults, n), childTimeout);
      if (o.kind === "skip") {
        skipped.push({ id: sys.id, reason: o.reason });
        console.log(`${sys.id.padEnd(18)} not yet wired: ${o.reason}`);
        stopped.add(sys.id);
      } else if (o.kind === "error") {
        if (!interrupted) {
          failed.push({ id: sys.id, reason: o.reason });
          console.log(`${sys.id.padEnd(18)} FAILED: ${o.reason}`);
        }
        stopped.add(sys.id);
      } else {
        all.get(sys.id)!.push(o.result);
        const r = o.result;
        console.error(
          `[${sys.id}] ${i < warmup ? "warm-up" : `run ${i - warmup + 1}`}: enqueue ${Math.round(r.enqueuePerSec)}/s, ` +
            `fire ${Math.round(r.firePerSec)}/s, ${Math.round(r.bytesPerPendingStep)} B/step, dup ${r.duplicates}, miss ${r.misses}`,
        );
      }
    }
  }
  for (const sys of systems) {
    const rs = all.get(sys.id)!;
    if (stopped.has(sys.id) || rs.length <= warmup) continue;
    const s = summarize(sys.id, rs.slice(warmup), rs);
    summaries.push(s);
    const r = s.result;
    console.log(
      `${sys.id.padEnd(18)} enqueue ${Math.round(r.enqueuePerSec).toString().padStart(7)}/s  fire ${Math.round(r.firePerSec).toString().padStart(7)}/s  ` +
        `${Math.round(r.bytesPerCustomer).toString().padStart(6)} B/customer  rss ${Math.round(r.peakRssMb)} MB  dup ${r.duplicates}  miss ${r.misses}`,
    );
  }
  if (interrupted) {
    console.error("[compare] interrupted: nothing written");
    process.exitCode = 130;
    return;
  }

  const command = `npm run bench:compare -- ${process.argv.slice(2).join(" ")}`.trim();
  const md = renderComparison({ machine, n, runs, warmup, windowMs: Number(a["window-ms"]), command, summaries, skipped, failed, tuning, tuneN });
  if (a["no-write"]) {
    console.log(`\n${md}`);
    return;
  }
  writeSection(join(REPO_ROOT, "bench", "RESULTS.md"), md);
  const title = `Steps fired per second, N = ${n.toLocaleString("en-US")} customers × 8 steps (median of ${runs})`;
  writeFileSync(join(REPO_ROOT, "bench", chartFile(n)), barChart(summaries, title, skipped.map((x) => x.id)));
  console.error(`[compare] wrote bench/RESULTS.md (${comparisonHeading(n)}) and bench/${chartFile(n)}`);
}

await main();
