import type { Sql } from "../db/sql.js";
import { EVENT_WATERMARK_SLACK_MS, METRICS_TIMEZONE, REPLY_WINDOWS_MS, TOUCH_LOOKBACK_MS } from "./constants.js";
import { recomputeCustomerJourneys } from "./customer-journeys.js";
import { loadGoals } from "./goals.js";
import { recomputeDays } from "./recompute-days.js";
import { syncTouches } from "./sync-touches.js";

export interface RefreshResult {
  /** days recomputed ("YYYY-MM-DD", China time) */
  days: string[];
  /** customers whose touch counts were recomputed */
  customers: number;
}

const DAY_MS = 86_400_000;
/** The China-time day of an instant (fixed UTC+8: China has no DST). */
const chinaDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
/** Every China-time day from the day of `fromMs` to the day of `toMs`. */
function daysBetween(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  for (let d = Date.parse(`${chinaDay(fromMs)}T00:00:00Z`), end = Date.parse(`${chinaDay(toMs)}T00:00:00Z`); d <= end; d += DAY_MS) {
    out.push(new Date(d).toISOString().slice(0, 10));
  }
  return out;
}

/**
 * One run of the metrics rollup job for one workspace, up to `now` (injected): copies new and
 * changed touches, finds the events received since the last run (watermark on received_at), and
 * recomputes the days they affect — a touch's day and the three after it (its replies, and events
 * now attributed to it), an event's day and the three before it (the touches it answers) — and
 * the touch counts of the customers concerned. The first run reads everything. One transaction:
 * a failed run leaves the rollups and the watermark as they were.
 */
export async function refreshMetrics(sql: Sql, workspaceId: string, now: Date): Promise<RefreshResult> {
  if (METRICS_TIMEZONE !== "Asia/Shanghai") throw new Error("chinaDay assumes UTC+8");
  return sql.transaction(async (tx) => {
    // One run per workspace at a time (two gateways sharing the database).
    await tx.execute(`SELECT pg_advisory_xact_lock(hashtext('sopline.metrics:' || $1))`, [workspaceId]);
    // JIT compiling these statements costs a quarter of a second each and saves nothing on a day's rows.
    await tx.execute(`SET LOCAL jit = off`);
    const [mark] = await tx.query<{ touches_until: Date | null; events_until: Date | null }>(
      `SELECT touches_until, events_until FROM metric_watermarks WHERE workspace_id = $1`,
      [workspaceId],
    );
    const goals = await loadGoals(tx, workspaceId);
    if (!mark) {
      await rebuild(tx, workspaceId, now, goals);
      return { days: [], customers: -1 };
    }
    const since = mark.touches_until ? new Date(mark.touches_until.getTime() - TOUCH_LOOKBACK_MS) : null;
    const touched = await syncTouches(tx, workspaceId, since, now);
    const eventsSince = mark.events_until ? new Date(mark.events_until.getTime() - EVENT_WATERMARK_SLACK_MS) : new Date(0);
    const fresh = await tx.query<{ customer_id: string; at: Date; name: string }>(
      `SELECT customer_id, at, name FROM events WHERE workspace_id = $1 AND received_at > $2 AND received_at <= $3`,
      [workspaceId, eventsSince, now],
    );
    // Anonymous opens of one-to-many messages count in `opened` on their day (recompute-days.ts).
    const anonymous = await tx.query<{ at: Date }>(
      `SELECT DISTINCT date_trunc('day', at) AS at FROM tracked_message_opens WHERE workspace_id = $1 AND received_at > $2 AND received_at <= $3`,
      [workspaceId, eventsSince, now],
    );
    const days = new Set<string>();
    for (const o of anonymous) for (const x of daysBetween(o.at.getTime(), o.at.getTime() + DAY_MS)) days.add(x);
    for (const d of touched.days) for (const x of daysBetween(Date.parse(`${d}T00:00:00+08:00`), Date.parse(`${d}T00:00:00+08:00`) + REPLY_WINDOWS_MS.h72)) days.add(x);
    for (const e of fresh) for (const x of daysBetween(e.at.getTime() - REPLY_WINDOWS_MS.h72, e.at.getTime())) days.add(x);
    const goalEvents = new Set(goals.map((g) => g.event));
    const customers = new Set(touched.customers);
    for (const e of fresh) if (goalEvents.has(e.name)) customers.add(e.customer_id);
    if (days.size > 0) await recomputeDays(tx, workspaceId, [...days].sort(), goals);
    if (customers.size > 0) await recomputeCustomerJourneys(tx, workspaceId, [...customers], goals);
    await tx.execute(`UPDATE metric_watermarks SET touches_until = $2, events_until = $2 WHERE workspace_id = $1`, [workspaceId, now]);
    return { days: [...days].sort(), customers: customers.size };
  });
}

/**
 * Rebuilds a workspace's rollups from all its deliveries and events (the first run; after a change
 * of goals, run it again with `resetMetrics` first). Days are recomputed a month at a time.
 */
async function rebuild(tx: Parameters<Parameters<Sql["transaction"]>[0]>[0], workspaceId: string, now: Date, goals: Awaited<ReturnType<typeof loadGoals>>): Promise<void> {
  await tx.execute(`DELETE FROM metric_touches WHERE workspace_id = $1`, [workspaceId]);
  await syncTouches(tx, workspaceId, null, now, { changes: false });
  const [span] = await tx.query<{ lo: Date | null; hi: Date | null }>(
    `SELECT LEAST((SELECT min(at) FROM metric_touches WHERE workspace_id = $1), (SELECT min(at) FROM events WHERE workspace_id = $1),
                  (SELECT min(at) FROM tracked_message_opens WHERE workspace_id = $1)) AS lo,
            GREATEST((SELECT max(at) FROM metric_touches WHERE workspace_id = $1), (SELECT max(at) FROM events WHERE workspace_id = $1),
                  (SELECT max(at) FROM tracked_message_opens WHERE workspace_id = $1)) AS hi`,
    [workspaceId],
  );
  await tx.execute(`DELETE FROM metric_daily WHERE workspace_id = $1`, [workspaceId]);
  await tx.execute(`DELETE FROM metric_event_daily WHERE workspace_id = $1`, [workspaceId]);
  if (span?.lo && span.hi) {
    const all = daysBetween(span.lo.getTime(), span.hi.getTime());
    for (let i = 0; i < all.length; i += 31) await recomputeDays(tx, workspaceId, all.slice(i, i + 31), goals);
  }
  await tx.execute(`DELETE FROM metric_customer_journeys WHERE workspace_id = $1`, [workspaceId]);
  await tx.execute(`DELETE FROM metric_touch_histogram WHERE workspace_id = $1`, [workspaceId]);
  await recomputeCustomerJourneys(tx, workspaceId, null, goals);
  await tx.execute(
    `INSERT INTO metric_watermarks (workspace_id, touches_until, events_until) VALUES ($1, $2, $2)
     ON CONFLICT (workspace_id) DO UPDATE SET touches_until = $2, events_until = $2`,
    [workspaceId, now],
  );
}

/** Forgets a workspace's rollups: the next refresh rebuilds them (e.g. after a journey's goal changed). */
export async function resetMetrics(sql: Sql, workspaceId: string): Promise<void> {
  await sql.execute(`DELETE FROM metric_watermarks WHERE workspace_id = $1`, [workspaceId]);
}

/** Refreshes every workspace (the gateway's metrics job). */
export async function refreshAllMetrics(sql: Sql, now: Date): Promise<void> {
  const rows = await sql.query<{ id: string }>(`SELECT id FROM workspaces ORDER BY id`);
  for (const r of rows) await refreshMetrics(sql, r.id, now);
}
