import { type JourneyDefinition, type StepDueEffect, parseDuration, stepKeyPrefix } from "@sopline/core";
import type { Database, SqlRunner } from "../db/index.js";
import { textArray } from "../db/text-array.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import { capMarketingTouches } from "../engine/marketing-cap.js";
import { type Notices, insertTasks } from "../engine/persist-advances.js";
import { type Actor, writeAudit } from "./audit.js";
import { lockGates } from "./gates.js";
import { journeyTarget } from "./journey-target.js";

export interface PauseArgs {
  workspaceId: string;
  journeyKey: string;
  /** one step of the journey; omitted: the whole journey */
  stepId?: string | null;
  actor: Actor;
  now: Date;
}

export interface PauseResult {
  journeyKey: string;
  stepId: string | null;
  paused: boolean;
  /** false when it already was in that state */
  changed: boolean;
  /** pause: steps due but unsent that are now held; resume: held steps released */
  steps: number;
  /** resume: released steps past their expiry, recorded as skipped (`expired`) */
  expired: number;
  /** resume: released steps whose customer had left their stage or the journey meanwhile (skipped, `left-stage`) */
  leftStage: number;
}

const target = (a: PauseArgs) => `journey:${a.journeyKey}${a.stepId ? `/step:${a.stepId}` : ""}`;

/**
 * Pauses a journey or one step: from now on the steps it covers that fall due are recorded as held
 * (status 'held', reason 'paused') instead of being sent or turned into tasks, and auto steps due but
 * not yet claimed by a delivery worker are held too. Nothing is lost: resuming releases them. Tasks
 * already given to staff stay open.
 */
export async function pauseJourney(db: Database, registry: JourneyRegistry, a: PauseArgs): Promise<PauseResult> {
  await journeyTarget(db.sql, registry, a.workspaceId, a.journeyKey, a.stepId);
  const stepId = a.stepId ?? "";
  return db.sql.transaction(async (tx) => {
    await lockGates(tx, [a.workspaceId], "exclusive");
    const inserted = await tx.execute(
      `INSERT INTO journey_pauses (workspace_id, journey_key, step_id, paused_by, paused_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [a.workspaceId, a.journeyKey, stepId, a.actor.kind === "apiKey" ? "apiKey" : `${a.actor.kind}:${a.actor.id}`, a.now],
    );
    const held = await tx.execute(
      `UPDATE deliveries SET status = 'held', reason = 'paused' WHERE workspace_id = $1 AND journey_key = $2 AND status = 'due' AND ($3 = '' OR step_id = $3)`,
      [a.workspaceId, a.journeyKey, stepId],
    );
    const result: PauseResult = { journeyKey: a.journeyKey, stepId: a.stepId ?? null, paused: true, changed: inserted > 0, steps: held, expired: 0, leftStage: 0 };
    if (result.changed) await writeAudit(tx, { workspaceId: a.workspaceId, actor: a.actor, action: a.stepId ? "step.pause" : "journey.pause", target: target(a), before: { paused: false }, after: { paused: true, heldSteps: held }, at: a.now });
    return result;
  });
}

interface HeldRow {
  key: string;
  stage: string;
  step_id: string;
  channel: string;
  content: string | null;
  mode: string;
  due_at: Date;
  enrollment_id: string;
  customer_id: string;
  workspace_id: string;
  journey_key: string;
  journey_version: number;
  staff_id: string | null;
  state: { journey: string; customer: string; stage: string; visit: number };
  ended: boolean;
  timezone: string | null;
}

// Held steps of the journey (or step) that no remaining pause covers, a page at a time.
const HELD = `SELECT d.key, d.stage, d.step_id, d.channel, d.content, d.mode, d.due_at, d.enrollment_id, d.customer_id, d.workspace_id, d.journey_key,
    e.journey_version, e.staff_id, e.state, e.ended_at IS NOT NULL AS ended, c.timezone
  FROM deliveries d JOIN enrollments e ON e.id = d.enrollment_id JOIN customers c ON c.id = d.customer_id
  WHERE d.workspace_id = $1 AND d.journey_key = $2 AND d.status = 'held' AND ($3 = '' OR d.step_id = $3)
    AND NOT EXISTS (SELECT 1 FROM journey_pauses p WHERE p.workspace_id = d.workspace_id AND p.journey_key = d.journey_key AND p.step_id IN ('', d.step_id))
  ORDER BY d.key LIMIT $4 FOR UPDATE OF d SKIP LOCKED`;

/**
 * Resumes a journey or step and releases its held steps by the step's expiry rules, a page per
 * transaction: past `expireAfter` (step, else stage, else journey) → skipped `expired`; the
 * customer left the stage or the journey meanwhile → skipped `left-stage`; else auto steps become
 * due (the delivery worker sends them) and task steps become tasks. Steps still covered by another
 * pause (the journey's, or the step's own) stay held.
 */
export async function resumeJourney(db: Database, registry: JourneyRegistry, a: PauseArgs & { batchSize?: number }, notices: Notices): Promise<PauseResult> {
  await journeyTarget(db.sql, registry, a.workspaceId, a.journeyKey, a.stepId);
  const stepId = a.stepId ?? "";
  const result: PauseResult = { journeyKey: a.journeyKey, stepId: a.stepId ?? null, paused: false, changed: false, steps: 0, expired: 0, leftStage: 0 };
  result.changed = await db.sql.transaction(async (tx) => {
    await lockGates(tx, [a.workspaceId], "exclusive");
    const removed = await tx.execute(`DELETE FROM journey_pauses WHERE workspace_id = $1 AND journey_key = $2 AND step_id = $3`, [a.workspaceId, a.journeyKey, stepId]);
    if (removed > 0) await writeAudit(tx, { workspaceId: a.workspaceId, actor: a.actor, action: a.stepId ? "step.resume" : "journey.resume", target: target(a), before: { paused: true }, after: { paused: false }, at: a.now });
    return removed > 0;
  });
  // Also when it was not paused: releases what an interrupted resume left held.
  for (;;) {
    const page = await db.sql.transaction(async (tx) => {
      const rows = await tx.query<HeldRow>(HELD, [a.workspaceId, a.journeyKey, stepId, a.batchSize ?? 500]);
      if (rows.length > 0) await release(tx, registry, rows, a.now, result, notices);
      return rows.length;
    });
    if (page < (a.batchSize ?? 500)) break;
  }
  return result;
}

async function release(tx: SqlRunner, registry: JourneyRegistry, rows: HeldRow[], now: Date, result: PauseResult, notices: Notices): Promise<void> {
  await registry.load(tx, rows.map((r) => ({ workspaceId: r.workspace_id, key: r.journey_key, version: r.journey_version })));
  const v = { key: [] as string[], months: [] as Array<number | null>, days: [] as Array<number | null>, ms: [] as Array<number | null>, tz: [] as string[], left: [] as boolean[] };
  for (const r of rows) {
    const journey = registry.get(r.workspace_id, r.journey_key, r.journey_version);
    const span = expirySpan(journey.definition, r.stage, r.step_id);
    v.key.push(r.key);
    v.months.push(span?.months ?? null);
    v.days.push(span?.days ?? null);
    v.ms.push(span?.ms ?? null);
    v.tz.push(r.timezone ?? journey.definition.timezone ?? "UTC");
    // the same visit of the stage it was held in (keys are journey:customer:stage:visit:step…)
    v.left.push(r.ended || !r.key.startsWith(`${stepKeyPrefix(r.state.journey, r.state.customer)}${r.state.stage}:${r.state.visit}:`));
  }
  // The deadline is computed on the wall clock of the customer's zone, as the core does ("1d" after 09:00 is 09:00 the next day).
  const updated = await tx.query<{ key: string; status: string; mode: string; reason: string | null }>(
    `UPDATE deliveries d SET
       status = CASE WHEN v.left_stage OR v.expired THEN 'skipped' WHEN d.mode IN ('task', 'mass_send') THEN 'task' ELSE 'due' END,
       reason = CASE WHEN v.left_stage THEN 'left-stage' WHEN v.expired THEN 'expired' ELSE NULL END
     FROM (SELECT u.key, u.left_stage,
             u.months IS NOT NULL AND $7::timestamptz > (((x.due_at AT TIME ZONE u.tz) + make_interval(months => u.months, days => u.days) + u.ms * interval '1 millisecond') AT TIME ZONE u.tz) AS expired
           FROM unnest($1::text[], $2::int[], $3::int[], $4::float8[], $5::text[], $6::boolean[]) AS u(key, months, days, ms, tz, left_stage)
           JOIN deliveries x ON x.key = u.key) v
     WHERE d.key = v.key AND d.status = 'held'
     RETURNING d.key, d.status, d.mode, d.reason`,
    [textArray(v.key), textArray(v.months), textArray(v.days), textArray(v.ms), textArray(v.tz), textArray(v.left.map((l) => (l ? "t" : "f"))), now],
  );
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const capped = await placeUnderCap(tx, registry, updated.filter((u) => u.status !== "skipped").map((u) => byKey.get(u.key)!), now);
  const tasks: Array<{ item: { row: { id: string; workspace_id: string; customer_id: string; journey_key: string; journey_version: number; staff_id: string | null; state: never }; state: never; effects: [] }; effect: StepDueEffect }> = [];
  for (const u of updated) {
    if (u.reason === "expired") result.expired++;
    else if (u.reason === "left-stage") result.leftStage++;
    else result.steps++;
    // A released 群发助手 step waits for its send slot (the mass-send worker); only task steps get a task.
    if (u.status === "task" && u.mode === "task") {
      const r = byKey.get(u.key)!;
      const step = stepOf(registry.get(r.workspace_id, r.journey_key, r.journey_version).definition, r.stage, r.step_id);
      tasks.push({
        item: { row: { id: r.enrollment_id, workspace_id: r.workspace_id, customer_id: r.customer_id, journey_key: r.journey_key, journey_version: r.journey_version, staff_id: r.staff_id, state: r.state as never }, state: r.state as never, effects: [] },
        effect: {
          type: "step.due", journey: r.state.journey, customer: r.state.customer, key: r.key, stage: r.stage, visit: 0, stepId: r.step_id, dueAt: capped.get(r.key) ?? new Date(r.due_at).toISOString(),
          channel: r.channel as StepDueEffect["channel"], content: r.content ?? "", mode: "task",
          ...(step?.assignee ? { assignee: step.assignee } : {}), ...(step?.title ? { title: step.title } : {}),
        },
      });
    }
  }
  if (tasks.length > 0) await insertTasks(tx, tasks, notices);
  if (updated.length > 0) for (const r of rows) notices.boards.add(r.workspace_id);
}

/**
 * Released steps go out now, so they take room under the workspace's marketing cap like any touch:
 * those over it move to the next openings (due_at, reason `capped`), as the scheduler would place them.
 */
async function placeUnderCap(tx: SqlRunner, registry: JourneyRegistry, released: HeldRow[], now: Date): Promise<Map<string, string>> {
  const items = released.map((r) => ({
    row: { id: r.enrollment_id, workspace_id: r.workspace_id, customer_id: r.customer_id, journey_key: r.journey_key, journey_version: r.journey_version, staff_id: r.staff_id } as never,
    state: r.state as never,
    journey: registry.get(r.workspace_id, r.journey_key, r.journey_version),
    effects: [{
      type: "step.due", journey: r.state.journey, customer: r.state.customer, key: r.key, stage: r.stage, visit: 0, stepId: r.step_id,
      dueAt: new Date(Math.max(now.getTime(), new Date(r.due_at).getTime())).toISOString(), channel: r.channel as StepDueEffect["channel"], content: r.content ?? "", mode: r.mode === "task" ? "task" : "auto",
    } as StepDueEffect],
  }));
  const deferred = await capMarketingTouches(tx, items);
  if (deferred.size > 0) {
    await tx.execute(`UPDATE deliveries d SET due_at = v.at, reason = 'capped' FROM unnest($1::text[], $2::timestamptz[]) AS v(key, at) WHERE d.key = v.key`, [textArray([...deferred.keys()]), textArray([...deferred.values()])]);
  }
  return deferred;
}

type Definition = JourneyDefinition;

function stepOf(def: Definition, stage: string, stepId: string) {
  return def.stages.find((s) => s.id === stage)?.sop?.find((s) => s.id === stepId);
}

/** The step's `expireAfter`, else its stage's, else the journey's, parsed; null: it never expires. */
function expirySpan(def: Definition, stage: string, stepId: string): { months: number; days: number; ms: number } | null {
  const stageDef = def.stages.find((s) => s.id === stage) as (Definition["stages"][number] & { expireAfter?: string | number }) | undefined;
  const raw = stepOf(def, stage, stepId)?.expireAfter ?? stageDef?.expireAfter ?? (def as Definition & { expireAfter?: string | number }).expireAfter;
  if (raw === undefined) return null;
  const span = parseDuration(raw);
  return typeof span === "string" ? null : span;
}
