// Bounded work per request and per tick (issue 14, point 5):
//   (a) `upcomingSteps` on a stored 4,000-step stage: the core's simulate() with the gateway's
//       default (90 days, 50 steps) and largest (400 days, 200 steps) arguments;
//   (b) a whole simulation of 1,000 … 8,000 steps: time and steps scanned per step, to show the cost
//       is linear in the SOP (it was cubic: 14.2 s for 4,000 steps through the gateway);
//   (c) a scheduler tick on a year-old enrollment with a 1-minute repeat for a year (525,600
//       occurrences): bounded by the tick budget.
// Run: npm run bench:simulate   (--dry: do not write RESULTS.md)
import os from "node:os";
import { parseArgs } from "node:util";
import { Journey, type StepDefinition, TICK_BUDGET } from "@sopline/core";
import { machine, writeSection } from "./results.js";

const { values } = parseArgs({ options: { dry: { type: "boolean", default: false } } });
const DAY = 86_400_000;
const T0 = Date.parse("2026-11-01T00:00:00Z"); // 08:00 in Shanghai, before the window opens
const SHAPES = {
  "1 minute apart": (i: number) => ({ after: `${i + 1}m` }),
  "10 a day at 10:00": (i: number) => ({ day: Math.floor(i / 10), at: "10:00" }),
  "all at entry": () => ({ after: "0m" }),
} as const;
type Shape = keyof typeof SHAPES;

/** A one-stage journey of n steps, compiled without validation (stored before the 200-step limit). */
function stage(n: number, shape: Shape): Journey {
  const sop = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, channel: "private_chat", content: `c${i}`, ...SHAPES[shape](i) }) as StepDefinition);
  return new Journey({ id: "big", version: 1, timezone: "Asia/Shanghai", entry: "s", window: { from: "09:00", to: "21:00" }, stages: [{ id: "s", sop }] });
}

/** Median wall time of `runs` calls, in ms, and what the last call returned. */
function time<T>(runs: number, fn: () => T): { ms: number; out: T } {
  const times: number[] = [];
  let out!: T;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    out = fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(runs / 2)]!, out };
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const rows: string[] = [];

// (a) upcomingSteps as the gateway asks for it: from the enrolled state, `days` ahead, at most `limit` due steps.
for (const shape of Object.keys(SHAPES) as Shape[]) {
  const journey = stage(4_000, shape);
  const state = journey.advance(journey.enroll({ id: "c" }, T0), { type: "tick", at: T0 }).state;
  for (const [days, limit] of [[90, 50], [400, 200]] as const) {
    const { ms, out } = time(7, () => journey.simulate(state, [], { until: T0 + days * DAY, maxSteps: limit }));
    const due = out.effects.filter((e) => e.type === "step.due").length;
    rows.push(`| (a) upcomingSteps(days: ${days}, limit: ${limit}), 4,000 steps ${shape} | ${fmt(ms, 2)} ms | ${fmt(out.scanned)} scanned, ${due} steps |`);
  }
}

// (b) whole simulations: linear in the steps.
for (const shape of Object.keys(SHAPES) as Shape[]) {
  const parts: string[] = [];
  for (const n of [1_000, 2_000, 4_000, 8_000]) {
    const journey = stage(n, shape);
    const state = journey.enroll({ id: "c" }, T0);
    const { ms, out } = time(3, () => journey.simulate(state, [], { until: T0 + 1_000 * DAY, budget: Infinity }));
    parts.push(`${fmt(n)}: ${fmt(ms, 1)} ms, ${fmt(out.scanned / n, 1)} scanned per step`);
  }
  rows.push(`| (b) whole simulation, steps ${shape} | ${parts.join("; ")} | |`);
}

// (c) one scheduler tick on a year-old backlog of 1-minute occurrences.
{
  const journey = new Journey({
    id: "legacy", version: 1, timezone: "Asia/Shanghai", entry: "s",
    stages: [{ id: "s", sop: [{ id: "ping", after: "0m", repeat: { every: "1m", for: "1y" }, channel: "sms", content: "ping" }] }],
  });
  let state = journey.enroll({ id: "c" }, T0 - 365 * DAY);
  const ticks: number[] = [];
  let steps = 0;
  for (let i = 0; i < 50; i++) {
    const start = performance.now();
    const out = journey.advance(state, { type: "tick", at: T0 });
    ticks.push(performance.now() - start);
    steps += out.effects.length;
    state = out.state;
  }
  ticks.sort((a, b) => a - b);
  rows.push(`| (c) tick on a year-old 1-minute repeat (525,600 occurrences due), budget ${TICK_BUDGET} | median ${fmt(ticks[25]!, 2)} ms, max ${fmt(ticks[49]!, 2)} ms per tick | ${fmt(steps)} effects in 50 ticks |`);
}

const body = `| measure | time (wall clock) | work |
| --- | --- | --- |
${rows.join("\n")}

${machine()} Load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(" / ")}.

- Stage of one SOP (window 09:00–21:00, Asia/Shanghai, entry at 08:00): built with \`new Journey\` as the gateway loads a stored definition, since validation now rejects more than ${200} steps per stage.
- (a) is the work of one \`upcomingSteps\` field, done inline by the gateway (it blocks the event loop for that long). Before this change (commit c9ec923, same machine, 2026-12-05) the gateway simulated the whole horizon and then kept the first \`limit\` steps: (days: 90, limit: 50) on 4,000 steps took 35.8 s "1 minute apart", 0.64 s "10 a day" and 34.7 s "all at entry" (14.2 s in issue 14's report), 7–8× the time of half the steps (cubic: a search of the done list per step per scan).
- (b) "scanned" counts the steps the engine looked at; it stays at a few per step however long the SOP (a stage visit scanned often places its single steps once, in order; long done lists grow in place).
- (c) each tick fires at most ${TICK_BUDGET} occurrences and leaves the rest due; finding the next occurrence of a repeat is a binary search (it walked every occurrence since the first).
`;

console.log(`\n## Simulation and budgets (npm run bench:simulate)\n\n${body}`);
if (!values.dry) writeSection("Simulation and budgets (npm run bench:simulate)", body);
