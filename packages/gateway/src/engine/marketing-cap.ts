import { type MarketingCap, type StepDueEffect, type TouchPlan, placeTouches } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import { textArray } from "../db/text-array.js";
import type { AdvancedEnrollment } from "./enrollment-row.js";

// A week's cap looks back 7 local days; a day more covers any zone's offset.
const KEEP_MS = 8 * 86_400_000;

// One statement per batch: the caps of the batch's workspaces and, for each customer with a due
// marketing touch in a capped workspace, their touch row — created if missing, pruned, and locked
// until commit, so two workers advancing two journeys of one customer cannot both take the last
// slot of a day (ON CONFLICT DO UPDATE waits for the other and reads its committed times). Rows are
// taken in customer order: two batches never wait on each other in a cycle.
const LOCK_AND_READ = `WITH caps AS (
    SELECT id, settings->'marketingCap' AS cap FROM workspaces
    WHERE id = ANY($1::text[]) AND jsonb_typeof(settings->'marketingCap') = 'object')
  INSERT INTO marketing_touches AS m (customer_id, workspace_id, times)
  SELECT v.c, v.w, '{}' FROM unnest($2::text[], $3::text[]) AS v(c, w) JOIN caps ON caps.id = v.w ORDER BY v.c
  ON CONFLICT (customer_id) DO UPDATE SET times = ARRAY(SELECT t FROM unnest(m.times) AS t WHERE t >= $4::timestamptz)
  RETURNING m.customer_id, to_json(m.times)::text AS times, (SELECT cap::text FROM caps WHERE caps.id = m.workspace_id) AS cap`;

const ADD = `UPDATE marketing_touches m SET times = m.times || v.ts
  FROM (SELECT c, array_agg(t) AS ts FROM unnest($1::text[], $2::timestamptz[]) AS u(c, t) GROUP BY c) AS v
  WHERE m.customer_id = v.c`;

interface Candidate {
  effect: StepDueEffect;
  at: number;
  plan: TouchPlan;
}

/**
 * Applies the workspace's marketing cap (settings.marketingCap: per day / per week, per customer
 * across all journeys) to the due marketing touches of a batch, in the caller's transaction: at most
 * two statements per batch, none when the batch has no marketing touch. Returns the new due time of
 * each deferred touch by delivery key; the others keep theirs. Nothing is dropped.
 */
export async function capMarketingTouches(
  tx: SqlRunner,
  items: readonly AdvancedEnrollment[],
  /** Whether a due step goes out at all (a paused or opted-out one does not count) */
  goesOut: (item: AdvancedEnrollment, effect: StepDueEffect) => boolean = () => true,
): Promise<Map<string, string>> {
  const byCustomer = new Map<string, { workspace: string; touches: Candidate[] }>();
  let earliest = Infinity;
  for (const item of items) {
    if (!item.journey) continue;
    for (const e of item.effects) {
      if (e.type !== "step.due" || !goesOut(item, e)) continue;
      const plan = item.journey.touchPlan(item.state, e.stage, e.stepId);
      if (!plan || plan.kind !== "marketing") continue;
      const at = Date.parse(e.dueAt);
      earliest = Math.min(earliest, at);
      const customer = item.row.customer_id;
      let entry = byCustomer.get(customer);
      if (!entry) byCustomer.set(customer, (entry = { workspace: item.row.workspace_id, touches: [] }));
      entry.touches.push({ effect: e, at, plan });
    }
  }
  const deferred = new Map<string, string>();
  if (byCustomer.size === 0) return deferred;
  const customers = [...byCustomer.keys()];
  const rows = await tx.query<{ customer_id: string; times: string; cap: string | null }>(LOCK_AND_READ, [
    textArray([...new Set([...byCustomer.values()].map((c) => c.workspace))]),
    textArray(customers),
    textArray(customers.map((c) => byCustomer.get(c)!.workspace)),
    new Date(earliest - KEEP_MS),
  ]);
  const added = { customer: [] as string[], at: [] as string[] };
  for (const row of rows) {
    const cap = readCap(row.cap);
    const { touches } = byCustomer.get(row.customer_id)!;
    if (!cap) continue;
    const taken = (JSON.parse(row.times) as string[] | null ?? []).map((t) => Date.parse(t));
    const placed = placeTouches(cap, taken, touches);
    touches.forEach((c, i) => {
      const at = new Date(placed[i]!).toISOString();
      if (placed[i] !== c.at) deferred.set(c.effect.key, at);
      added.customer.push(row.customer_id);
      added.at.push(at);
    });
  }
  if (added.at.length > 0) await tx.execute(ADD, [textArray(added.customer), textArray(added.at)]);
  return deferred;
}

/** The stored setting, as updateWorkspaceSettings wrote it (a hand-edited one that makes no sense caps nothing). */
function readCap(text: string | null): MarketingCap | null {
  if (!text) return null;
  const raw = JSON.parse(text) as { perDay?: unknown; perWeek?: unknown };
  const count = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v >= 1 ? v : undefined);
  const perDay = count(raw.perDay);
  const perWeek = count(raw.perWeek);
  if (perDay === undefined && perWeek === undefined) return null;
  return { ...(perDay !== undefined ? { perDay } : {}), ...(perWeek !== undefined ? { perWeek } : {}) };
}

/** A workspace's marketing cap, for lint (`over-marketing-cap`); none when unset. */
export async function marketingCapOf(sql: SqlRunner, workspaceId: string): Promise<{ marketingCap?: MarketingCap }> {
  const [row] = await sql.query<{ cap: string | null }>(`SELECT (settings->'marketingCap')::text AS cap FROM workspaces WHERE id = $1`, [workspaceId]);
  const cap = readCap(row?.cap ?? null);
  return cap ? { marketingCap: cap } : {};
}

/**
 * Gives back the room of planned touches that will not go out after all (a deferred touch skipped
 * because the customer left its stage): one recorded time per touch, in the caller's transaction.
 */
export async function releaseMarketingTouches(tx: SqlRunner, touches: ReadonlyArray<{ customerId: string; dueAt: Date }>): Promise<void> {
  if (touches.length === 0) return;
  const byCustomer = new Map<string, number[]>();
  for (const t of touches) byCustomer.set(t.customerId, [...(byCustomer.get(t.customerId) ?? []), t.dueAt.getTime()]);
  const rows = await tx.query<{ customer_id: string; times: string }>(
    `SELECT customer_id, to_json(times)::text AS times FROM marketing_touches WHERE customer_id = ANY($1::text[]) ORDER BY customer_id FOR UPDATE`,
    [textArray([...byCustomer.keys()])],
  );
  const update = { customer: [] as string[], times: [] as string[] };
  for (const row of rows) {
    const times = ((JSON.parse(row.times) as string[] | null) ?? []).map((t) => Date.parse(t));
    for (const at of byCustomer.get(row.customer_id)!) {
      const i = times.indexOf(at);
      if (i >= 0) times.splice(i, 1); // one occurrence: another touch may share the instant
    }
    update.customer.push(row.customer_id);
    update.times.push(JSON.stringify(times.map((t) => new Date(t).toISOString())));
  }
  if (update.customer.length === 0) return;
  await tx.execute(
    `UPDATE marketing_touches m SET times = ARRAY(SELECT jsonb_array_elements_text(v.ts::jsonb)::timestamptz)
     FROM unnest($1::text[], $2::text[]) AS v(c, ts) WHERE m.customer_id = v.c`,
    [textArray(update.customer), textArray(update.times)],
  );
}
