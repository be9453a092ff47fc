// What the board's counting triggers (migration 20261206100000_board_counts) cost the statements
// that write tasks and opportunities in batches: the ingest's opportunity upsert (1,000 new
// opportunities; 1,000 later signals on the same day), the scheduler's task insert and a bulk
// status change, each timed with the triggers enabled and disabled in alternating rounds on one
// PostgreSQL database (so the machine's noise falls on both alike). The workspace is counted (its
// board has been read), so the triggers do their full work.
// Run: npm run bench:board-triggers [-- --rounds 16]
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createWorkspace } from "../packages/gateway/src/auth/keys.js";
import { createTestDatabase } from "../packages/gateway/src/db/test-databases.js";
import { rebuildBoardCounts } from "../packages/gateway/src/graphql/services/board-counts.js";
import { machine, writeSection } from "./results.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "16" } } });
const ROUNDS = Number(values.rounds);
const TRIGGERS = [
  ["tasks", "tasks_board_count_insert"],
  ["tasks", "tasks_board_count_update"],
  ["opportunities", "opportunities_board_count_insert"],
  ["opportunities", "opportunities_board_count_update"],
] as const;
const AT = new Date("2026-12-06T06:00:00Z");

// What the runs of 2026-12-06 showed (kept with the figures).
const NOTE = `
Three runs on 2026-12-06 (load average 2.4–4.5, 2 cores shared with other helpers): the ingest's opportunity upsert +5–6 % (new) and +3–11 % (later signals on the same day; +41 % with the row-level update trigger tried first), the task insert +4 %, +7 % and once +30 % (not repeated: the machine's noise), a bulk status change of 1,000 tasks +70–103 % (~25 µs a task). Inserts, deletes and opportunity updates are counted by statement-level triggers (one grouped delta row per key and statement); task updates row by row, only when a counted column changes: every inserted task is updated once more at commit to number it (seq), one statement per task, and a statement-level update trigger would run for each of those on the scheduler's path. Status changes come one task at a time from staff (complete, skip, snooze); the bulk ones (skipping unsent deliveries, removing a live SOP) pay the 25 µs a task. \`npm run bench:gateway -- --only postgres\` (its workload makes no tasks; each \`link.clicked\` opens or strengthens a chat opportunity), two pairs of runs with the triggers dropped / with the workspace counted, load 4–7: steps fired per second 30,642 / 20,801 and 25,304 / 22,826 (÷ the bare loop of the same run: 36 % / 59 % and 48 % / 46 %), events ingested per second 6,343 / 5,504 and 5,027 / 4,973 — no drop that stands out of the machine's noise (the bare loop itself moved from 35,527 to 84,600 rows/s between runs), but not measured on a quiet machine.`;

const t = await createTestDatabase("postgres");
const sql = t.db.sql;
const lines: string[] = [];
try {
  const ws = (await createWorkspace(sql, { name: "board triggers" })).id;
  await sql.execute(`INSERT INTO staff (id, workspace_id, external_id, name) SELECT 'st' || g, $1, 'st' || g, 's' || g FROM generate_series(1, 20) g`, [ws]);
  await sql.execute(`INSERT INTO customers (id, workspace_id, external_id, name, staff_id) SELECT 'cu' || g, $1, 'cu' || g, 'c' || g, 'st' || (1 + g % 20) FROM generate_series(1, $2::int) g`, [ws, ROUNDS * 3 * 1000]);
  await rebuildBoardCounts(sql, ws, "Asia/Shanghai");
  await sql.execute("ANALYZE");
  const times = new Map<string, { on: number[]; off: number[] }>();
  const time = async (label: string, on: boolean, fn: () => Promise<unknown>) => {
    const s = performance.now();
    await fn();
    const entry = times.get(label) ?? times.set(label, { on: [], off: [] }).get(label)!;
    (on ? entry.on : entry.off).push(performance.now() - s);
  };
  let batch = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const on = round % 2 === 0;
    for (const [table, trigger] of TRIGGERS) await sql.execute(`ALTER TABLE ${table} ${on ? "ENABLE" : "DISABLE"} TRIGGER ${trigger}`);
    for (let r = 0; r < 3; r++) {
      const b = batch++;
      const ids = Array.from({ length: 1000 }, (_, i) => `cu${1 + b * 1000 + i}`);
      // the shape of opportunities/record.ts's upsert
      const upsert = (at: Date) =>
        sql.execute(
          `INSERT INTO opportunities (workspace_id, customer_id, customer_name, staff_id, kind, intent, signal, first_signal_at, last_signal_at)
           SELECT $1, c.id, c.name, c.staff_id, 'chat', 60, 'link.clicked', $3, $3 FROM customers c WHERE c.id = ANY($2::text[])
           ON CONFLICT (customer_id, kind) WHERE answered_at IS NULL DO UPDATE SET signals = opportunities.signals + 1, staff_id = EXCLUDED.staff_id,
             customer_name = EXCLUDED.customer_name, last_signal_at = GREATEST(opportunities.last_signal_at, EXCLUDED.last_signal_at)`,
          [ws, ids, at],
        );
      await time("opportunity upsert: 1,000 new", on, () => upsert(AT));
      await time("opportunity upsert: 1,000 later signals, same day", on, () => upsert(new Date(AT.getTime() + 60_000 * (r + 1))));
      await time("task insert: 1,000 chat tasks (with the commit-time seq numbering)", on, () =>
        sql.execute(`INSERT INTO tasks (workspace_id, staff_id, customer_id, kind, title, due_at) SELECT $1, c.staff_id, c.id, 'chat', 't', $3 FROM customers c WHERE c.id = ANY($2::text[])`, [ws, ids, AT]),
      );
      await time("task update: 1,000 open tasks done in one statement", on, () => sql.execute(`UPDATE tasks SET status = 'done' WHERE customer_id = ANY($1::text[]) AND status = 'open'`, [ids]));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  lines.push(`${ROUNDS} alternating rounds (triggers on / off), 3 batches of each statement per round; median ms per statement.`, "");
  lines.push("| statement | triggers off | triggers on | difference |", "| --- | --- | --- | --- |");
  for (const [label, { on, off }] of times) {
    const a = median(off);
    const b = median(on);
    lines.push(`| ${label} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${b >= a ? "+" : ""}${(((b - a) / a) * 100).toFixed(0)} % |`);
  }
  lines.push("", `Load average after the run: ${loadavg().map((x) => x.toFixed(1)).join(" / ")} on ${availableParallelism()} cores (shared with other work when above ~1).`);
  console.log(lines.join("\n"));
} finally {
  writeSection("Board counting triggers (npm run bench:board-triggers)", `${machine()}\n\n${lines.join("\n")}\n${NOTE}`);
  await t.drop();
}
