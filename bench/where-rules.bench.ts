// Rules on event data in the core (issue 16): the CPU cost of `where` per event, beside the same
// journey without it. One core, no database, so it holds on a machine whose database is busy.
// Run: npx tsx bench/where-rules.bench.ts [-- --events 200000]
import { parseArgs } from "node:util";
import { type JourneyInput, defineJourney } from "@sopline/core";
import { eightStepJourney, withDataRules } from "./lib/eight-step-journey.js";
import { machine, writeSection } from "./results.js";

const { values } = parseArgs({ options: { events: { type: "string", default: "200000" } } });
const N = Number(values.events);
const T0 = Date.parse("2026-12-07T01:00:00Z");

const plain = defineJourney({ ...withDataRules(eightStepJourney), tagRules: [{ on: "content.read", tag: "high-intent" }] });
const withWhere = defineJourney(withDataRules(eightStepJourney));

/** µs per event: each customer enrolled, then one event; half of the customers move either way. */
function run(journey: typeof plain, byName: boolean): { usPerEvent: number; moved: number } {
  const states = Array.from({ length: N }, (_, i) => journey.advance(journey.enroll({ id: `c${i}` }, T0), { type: "tick", at: T0 }).state);
  let moved = 0;
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    // Without where, the half that should not move sends another event name instead.
    const name = byName && i % 2 === 1 ? "content.glanced" : "content.read";
    const input: JourneyInput = { type: "event", id: `e${i}`, name, at: T0 + 60_000, data: { seconds: i % 2 === 0 ? 90 : 20, content: "case-1" } };
    if (journey.advance(states[i]!, input).state.stage === "interested") moved++;
  }
  return { usPerEvent: ((performance.now() - t) * 1000) / N, moved };
}

const rows: Array<[string, { usPerEvent: number; moved: number }]> = [];
for (let round = 0; round < 3; round++) {
  rows.push(["without where (half the events are content.read, which tags and moves)", run(plain, true)]);
  rows.push(["with where (every event is content.read; the half read ≥ 60 s tag and move)", run(withWhere, false)]);
}
const median = (label: string) => {
  const xs = rows.filter(([l]) => l === label).map(([, r]) => r.usPerEvent).sort((a, b) => a - b);
  return xs[1]!;
};
const labels = [...new Set(rows.map(([l]) => l))];
const table = [
  `${N.toLocaleString("en-US")} customers in the 8-step benchmark journey with a tag rule and a tag transition, one \`content.read\` event each through \`advance()\`; median of 3 rounds.`,
  "",
  "| journey | µs per event | customers moved |",
  "| --- | --- | --- |",
  ...labels.map((l) => `| ${l} | ${median(l).toFixed(2)} | ${rows.find(([x]) => x === l)![1].moved.toLocaleString("en-US")} |`),
];
console.log(table.join("\n"));
writeSection("Rules on event data in the core (npx tsx bench/where-rules.bench.ts)", [machine(), "", ...table].join("\n"));
