// Board benchmark (issue 16 point 6): the board with its opportunity lists at 1,000,000 customers
// and enrollments on PostgreSQL, and live board recomputes per second with many watchers.
// Seeds with generate_series SQL into a database of its own (dropped afterwards): 1M customers, 1M
// enrollments (10 % ended), 100 staff (a lead per 10), 50,000 open SOP chat / call tasks, 500,000
// signal events over 7 days and the opportunities they made (50,000 open, a fifth of them today).
// Run: npm run bench:board [-- --n 1000000 --watchers 1000 --seconds 10]
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createPubSub } from "graphql-yoga";
import { createWorkspace } from "../packages/gateway/src/auth/keys.js";
import { createTestDatabase } from "../packages/gateway/src/db/test-databases.js";
import { loadBoard, loadBoardSnapshot, viewBoard } from "../packages/gateway/src/graphql/services/board.js";
import { loadOpportunities } from "../packages/gateway/src/graphql/services/opportunities.js";
import { rebuildBoardCounts } from "../packages/gateway/src/graphql/services/board-counts.js";
import { rebuildStageCounts } from "../packages/gateway/src/graphql/services/stage-counts.js";
import { createBoardCoalescer } from "../packages/gateway/src/live/board-coalescer.js";
import { type LiveTopics, boardTopic } from "../packages/gateway/src/live/pubsub.js";
import { machine, writeSection } from "./results.js";

const { values } = parseArgs({ options: { n: { type: "string", default: "1000000" }, watchers: { type: "string", default: "1000" }, seconds: { type: "string", default: "10" }, runs: { type: "string", default: "200" } } });
const N = Number(values.n);
const WATCHERS = Number(values.watchers);
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);
const NOW = new Date("2026-12-06T06:00:00Z"); // 14:00 in Shanghai
const STAGES = ["new", "engaged", "interested", "trial", "quiet", "converted"];

const definition = {
  id: "nurture", version: 1, timezone: "Asia/Shanghai", entry: "new",
  stages: STAGES.map((id) => ({ id, name: id, manual: id !== "new", sop: [] })),
};

// What the latest runs on the 2-core machine showed and what is left (kept with the figures).
const NOTE = `
Target (issue 16): board p95 < 50 ms. Staff token: **met** (p95 19.3, 23.7 and 19.8 ms in three runs on 2026-12-06 between 03:28 and 03:48 UTC). API key (all 100 staff with their lists): **not met on this machine** — p95 53.1 ms (p50 38.5) in the first run, 101.5 ms (p50 55.2) and 138.3 ms (p50 54.3, the table above) in the two runs of the final code, with the 2 cores shared with other helpers' work (load average 3.8, 4.5 and 3.7; during the third run another helper's benchmark used the same PostgreSQL). The old GROUP BY alone took 183, 294 and 308 ms in the same runs: the machine's speed moved by ~1.7× between them. Coalescing: met (≤ 1 recompute a second; the first change is shown at once, so a run of N seconds has N + 1).
How (was p95 299 ms / 217 ms): the SOP task counts (today / overdue, a snoozed task on the day it wakes up) and the opportunity counts are kept per staff member, kind and local day of the workspace in board_counts, by triggers on tasks and opportunities that append deltas in the writing transaction (no counter row to lock, so no contention or deadlock between batches), folded by the board's read under a try advisory lock as stage_counts are. "Today" and "overdue" read a few counter rows per staff member and day with open tasks instead of every open task (50,000 here) and today's open opportunities (13,364). Days are local to the zone stored with the counts: a read that finds the workspace's zone changed (or no counts yet) recounts it once (the figure above). Local days rather than UTC buckets: zones with half-hour offsets would need 15-minute buckets, and "overdue" would sum one row per bucket since the oldest open task. The heads of the lists come from opportunities_list_idx, which now includes every column a list shows: an index-only scan applies the "signal today" filter in the index (an index scan fetched ~80 table rows per list that fail it, 20,000 buffer reads in all). Only lists with a count today are read; heads and escalations are two statements run at once, and the stage counts, staff and task / opportunity counts three more; times come as epoch ms (parsing ~4,000 timestamps cost more than reading the rows). A staff token reads only its own counter rows and lists (a lead's also the team's).
What is left in the API key's read: it returns the heads of 200 lists (~3,900 opportunities) and the 10 leads' escalations (200 index ranges); on this machine the rows' transfer and parsing are most of it, the index work ~6 ms. Open opportunities from past days stay in the list index until answered, and each list scans past them in intent order (~80 entries per list here): a workspace that never answers will see that grow (the counts do not). Triggers' cost on batch writes: see "Board counting triggers".`;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const fmt = (x: number) => Math.round(x).toLocaleString("en-US");

async function main() {
  const t = await createTestDatabase("postgres", { open: { poolSize: 4 } });
  const sql = t.db.sql;
  const lines: string[] = [];
  const log = (s: string) => {
    console.log(s);
    lines.push(s);
  };
  try {
    const ws = (await createWorkspace(sql, { name: "board bench" })).id;
    const t0 = performance.now();
    await sql.execute(`INSERT INTO journeys (workspace_id, key, version, definition) VALUES ($1, 'nurture', 1, $2::jsonb)`, [ws, JSON.stringify(definition)]);
    await sql.execute(`INSERT INTO staff (id, workspace_id, external_id, name) SELECT 'st' || g, $1, 'st' || g, 'staff ' || g FROM generate_series(1, 100) g`, [ws]);
    await sql.execute(`UPDATE staff SET lead_id = 'st' || ((substr(id, 3)::int - 1) / 10 * 10 + 1) WHERE workspace_id = $1 AND (substr(id, 3)::int - 1) % 10 <> 0`, [ws]);
    // Bulk load without the counting triggers (and FK checks), then one rebuild: as a migration of existing data would.
    await sql.transaction(async (tx) => {
      await tx.execute(`SET LOCAL session_replication_role = replica`);
      await tx.execute(`INSERT INTO customers (id, workspace_id, external_id, name, staff_id) SELECT 'cu' || g, $1, 'cu' || g, '客户 ' || g, 'st' || (1 + g % 100) FROM generate_series(1, $2::int) g`, [ws, N]);
      await tx.execute(
        `INSERT INTO enrollments (id, workspace_id, customer_id, journey_key, journey_version, staff_id, owner_key, stage, state, next_wake_at, ended_at)
         SELECT 'en' || g, $1, 'cu' || g, 'nurture', 1, 'st' || (1 + g % 100), 'st' || (1 + g % 100),
           (ARRAY['new','new','new','engaged','engaged','interested','trial','quiet','quiet','converted'])[1 + (g / 7) % 10], '{}',
           $3::timestamptz + (g % 86400) * interval '1 second', CASE WHEN g % 10 = 0 THEN $3::timestamptz END
         FROM generate_series(1, $2::int) g`,
        [ws, N, NOW],
      );
      await tx.execute(
        `INSERT INTO tasks (workspace_id, staff_id, customer_id, kind, title, status, due_at, seq)
         SELECT $1, 'st' || (1 + g % 100), 'cu' || (g * 19 % $2::int + 1), CASE WHEN g % 3 = 0 THEN 'call' ELSE 'chat' END, 'task', 'open',
           $3::timestamptz - (g % 240) * interval '1 hour' + interval '20 hours', g
         FROM generate_series(1, 50000) g`,
        [ws, N, NOW],
      );
      await tx.execute(
        `INSERT INTO events (workspace_id, event_id, customer_id, name, at, data)
         SELECT $1, 'ev' || g, 'cu' || (g * 7 % $2::int + 1), (ARRAY['message.replied','content.read','link.clicked','content.opened','demo.requested'])[1 + g % 5],
           $3::timestamptz - (g % 10080) * interval '1 minute', '{"content":"case-1","seconds":45}'
         FROM generate_series(1, 500000) g`,
        [ws, N, NOW],
      );
      // The opportunities those events made: 300,000 over the week, all answered but the last 50,000 (10,000 of them today).
      await tx.execute(
        `INSERT INTO opportunities (workspace_id, customer_id, customer_name, staff_id, kind, intent, signal, content, signals, first_signal_at, last_signal_at, answered_at)
         SELECT $1, 'cu' || (g * 13 % $2::int + 1), '客户 ' || (g * 13 % $2::int + 1), 'st' || (1 + (g * 13 % $2::int + 1) % 100), CASE WHEN g % 7 = 0 THEN 'call' ELSE 'chat' END,
           50 + g % 60, 'message.replied', 'case-1', 1 + g % 3,
           $3::timestamptz - CASE WHEN g > 290000 THEN (g % 600) * interval '1 minute' ELSE (g % 10080) * interval '1 minute' END - interval '5 minutes',
           $3::timestamptz - CASE WHEN g > 290000 THEN (g % 600) * interval '1 minute' ELSE (g % 10080) * interval '1 minute' END,
           CASE WHEN g <= 250000 THEN $3::timestamptz - interval '1 minute' END
         FROM generate_series(1, 300000) g`,
        [ws, N, NOW],
      );
    });
    await rebuildStageCounts(sql, ws);
    await sql.execute(`SELECT setval('tasks_seq_seq', 50000)`); // the seeded tasks took seq 1..50,000 by hand
    // The task and opportunity counts: what a workspace's first board read does (once; later the triggers keep them).
    const tc = performance.now();
    await rebuildBoardCounts(sql, ws, definition.timezone);
    const countedMs = performance.now() - tc;
    // As autovacuum leaves a running system: statistics gathered, visibility map set (index-only scans).
    await sql.execute(`VACUUM ANALYZE`);
    log(`Seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${fmt(N)} customers and enrollments (${fmt(N * 0.9)} active), 100 staff, 50,000 open SOP tasks, 500,000 signal events, 300,000 opportunities (50,000 open). The board's task and opportunity counts built once (a workspace's first board read, or a change of its zone): ${ms(countedMs)}.`);

    // What every board request and every live subscriber did before: one GROUP BY over all enrollments.
    const old: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      await sql.query(`SELECT e.journey_key, e.stage, count(*)::int AS n FROM enrollments e WHERE e.workspace_id = $1 AND e.ended_at IS NULL GROUP BY 1, 2`, [ws]);
      old.push(performance.now() - s);
    }
    log(`Before (the GROUP BY alone): median ${ms(pct(old, 50))} of 5 runs.`);

    // Stage changes, tasks and signals between reads: the triggers append deltas the next read folds in.
    let moved = 0;
    let written = 0;
    const someCustomers = (n: number) => Array.from({ length: n }, () => `cu${1 + Math.floor(Math.random() * N)}`);
    const move = async () => {
      await sql.execute(`UPDATE enrollments SET stage = (ARRAY['engaged','interested','trial','quiet'])[1 + (random() * 3)::int] WHERE id = ANY($1::text[]) AND ended_at IS NULL`, [
        Array.from({ length: 50 }, () => `en${1 + Math.floor(Math.random() * N)}`),
      ]);
      moved += 50;
      // 10 tasks done, 10 new ones due now, 10 signals (the ingest's upsert: a new opportunity or a later signal)
      await sql.execute(`UPDATE tasks SET status = 'done', completed_at = $2 WHERE seq = ANY($1::bigint[]) AND status = 'open'`, [
        Array.from({ length: 10 }, () => 1 + Math.floor(Math.random() * 50_000)),
        NOW,
      ]);
      await sql.execute(
        `INSERT INTO tasks (workspace_id, staff_id, customer_id, kind, title, due_at) SELECT $1, c.staff_id, c.id, 'chat', 'task', $3 FROM customers c WHERE c.id = ANY($2::text[])`,
        [ws, someCustomers(10), NOW],
      );
      await sql.execute(
        `INSERT INTO opportunities (workspace_id, customer_id, customer_name, staff_id, kind, intent, signal, first_signal_at, last_signal_at)
         SELECT $1, c.id, c.name, c.staff_id, 'chat', 60, 'message.replied', $3, $3 FROM customers c WHERE c.id = ANY($2::text[])
         ON CONFLICT (customer_id, kind) WHERE answered_at IS NULL DO UPDATE SET signals = opportunities.signals + 1, last_signal_at = GREATEST(opportunities.last_signal_at, EXCLUDED.last_signal_at)`,
        [ws, [...new Set(someCustomers(10))], NOW],
      );
      written += 30;
    };
    const time = async (label: string, fn: () => Promise<unknown>) => {
      const xs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await move();
        const s = performance.now();
        await fn();
        xs.push(performance.now() - s);
      }
      log(`| ${label} | ${ms(pct(xs, 50))} | ${ms(pct(xs, 95))} | ${ms(pct(xs, 99))} |`);
      return pct(xs, 95);
    };
    log(`\n${RUNS} reads each; before every read 50 random stage changes, 10 tasks done, 10 new tasks and 10 signals (the triggers' deltas folded by the read):\n`);
    log(`| read | p50 | p95 | p99 |\n| --- | --- | --- | --- |`);
    const board = await loadBoard(t.db, { workspaceId: ws, now: NOW });
    const p95 = await time("board, API key (all staff, lists of today's opportunities)", () => loadBoard(t.db, { workspaceId: ws, now: NOW }));
    await time("board, staff token (one member)", () => loadBoard(t.db, { workspaceId: ws, staffId: "st7", now: NOW }));
    await time("opportunities(staffId, kind: CHAT)", () => loadOpportunities(t.db, { workspaceId: ws, staffId: "st7", kind: "chat", now: NOW, limit: 100 }));
    log(`\nLoad average after the reads (os.loadavg, 1 / 5 / 15 min): ${loadavg().map((x) => x.toFixed(1)).join(" / ")} on ${availableParallelism()} cores (shared with other work when above ~1).`);
    const listed = board.staff.reduce((a, s) => a + s.chatOpportunityCount + s.callOpportunityCount, 0);
    log(`\nThe board lists ${fmt(listed)} open opportunities of today over ${board.staff.length} staff; ${fmt(board.journeys[0]!.customers)} active enrollments counted; ${fmt(moved)} stage changes and ${fmt(written)} task and opportunity writes during the reads.`);

    // Live: WATCHERS consoles (a tenth with an API key, the rest staff tokens) and a change every 2 ms.
    const pubsub = createPubSub<LiveTopics>();
    const coalescer = createBoardCoalescer({ pubsub, load: (id) => loadBoardSnapshot(t.db, { workspaceId: id, now: NOW }) });
    let views = 0;
    let viewMs = 0;
    const its = Array.from({ length: WATCHERS }, (_, i) => {
      const it = coalescer.watch(ws);
      void (async () => {
        for (let r = await it.next(); !r.done; r = await it.next()) {
          const s = performance.now();
          viewBoard(r.value, { staffId: i % 10 === 0 ? null : `st${1 + (i % 100)}` });
          viewMs += performance.now() - s;
          views++;
        }
      })();
      return it;
    });
    let changes = 0;
    const started = performance.now();
    while (performance.now() - started < SECONDS * 1000) {
      await move();
      pubsub.publish(boardTopic(ws), { workspaceId: ws });
      changes++;
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 1_200));
    const elapsed = (performance.now() - started) / 1000;
    for (const it of its) await it.return!();
    const recomputes = coalescer.recomputes();
    log(`\nLive: ${fmt(WATCHERS)} watchers of one workspace, ${fmt(changes)} board changes in ${SECONDS} s (a change every few ms, each with 50 stage moves): ${recomputes} recomputes = ${(recomputes / elapsed).toFixed(2)} per second (without coalescing: ${fmt(changes * WATCHERS)} board loads); ${fmt(views)} views cut from them, ${((viewMs / Math.max(1, views)) * 1000).toFixed(0)} µs each.`);
    return { p95, recomputesPerSecond: recomputes / elapsed };
  } finally {
    const body = `${machine()}\n\n${lines.join("\n")}\n${NOTE}`;
    writeSection("Board at 1,000,000 enrollments (npm run bench:board)", body);
    if (process.env.BENCH_KEEP) console.log(`kept ${t.url}`);
    else await t.drop();
  }
}

main().then(
  (r) => {
    console.log(`board p95 ${r.p95.toFixed(1)} ms (target < 50 ms); ${r.recomputesPerSecond.toFixed(2)} recomputes/s (target ≤ 1)`);
    process.exit(0);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
