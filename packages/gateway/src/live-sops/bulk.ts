import type { Database, SqlRunner } from "../db/index.js";
import { type AdvancedEnrollment, ENROLLMENT_COLUMNS, type EnrollmentRow } from "../engine/enrollment-row.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import { type Notices, persistAdvances } from "../engine/persist-advances.js";
import { type Actor, writeAudit } from "./audit.js";
import { LiveSopError } from "./errors.js";
import { checkStage, journeyTarget } from "./journey-target.js";
import { endEnrollments } from "./remove.js";

/** Which enrollments of a journey a bulk operation takes: all of its in-flight ones, narrowed by each filter given. */
export interface BulkFilter {
  journeyKey: string;
  stage?: string | null;
  tag?: string | null;
  staffId?: string | null;
}

export interface BulkArgs {
  workspaceId: string;
  filter: BulkFilter;
  action: "move" | "remove";
  /** move: the stage they enter */
  toStage?: string | null;
  /** only count (nothing changes) */
  dryRun: boolean;
  /** refuse (nothing changes) unless this many match now: the count a preview showed */
  expectedCount?: number | null;
  reason?: string | null;
  /** enrollments per transaction (default 200, at most 1,000) */
  batchSize?: number | null;
  actor: Actor;
  now: Date;
}

export interface BulkResult {
  action: "move" | "remove";
  dryRun: boolean;
  /** enrollments the filter matches (a customer enrolled with two staff members counts twice) */
  matched: number;
  /** where they are now */
  byStage: Array<{ stage: string; customers: number }>;
  /** enrollments moved or removed (0 in a dry run) */
  changed: number;
  /** transactions it took */
  batches: number;
  /** removals: unsent steps skipped with reason `removed` */
  cancelledSteps: number;
}

export const MAX_BULK_BATCH = 1_000;

// The filter over enrollments e: $1 workspace, $2 journey, $3 stage, $4 tag, $5 staff, $6 the move's target stage.
const MATCH = `e.workspace_id = $1 AND e.journey_key = $2 AND e.ended_at IS NULL
  AND ($3::text IS NULL OR e.stage = $3) AND ($5::text IS NULL OR e.staff_id = $5)
  AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = e.customer_id AND t.tag = $4))
  AND ($6::text IS NULL OR e.stage <> $6)`;

/**
 * Moves or removes every in-flight enrollment of a journey that matches a filter (stage, customer
 * tag, owning staff member). A dry run returns the count and where they are, and changes nothing.
 * Otherwise the work is done a page of enrollments per transaction (keyset by id, rows locked as
 * the scheduler locks them), so a large cohort never holds one long transaction; one audit entry
 * records the whole operation. A move to the stage they are already in leaves them there (no re-entry).
 */
export async function bulkManage(db: Database, registry: JourneyRegistry, a: BulkArgs, notices: Notices): Promise<BulkResult> {
  const journey = await journeyTarget(db.sql, registry, a.workspaceId, a.filter.journeyKey);
  if (a.filter.stage) checkStage(journey, a.filter.stage, "filter.stage");
  if (a.action === "move") {
    if (!a.toStage) throw new LiveSopError("BAD_USER_INPUT", "toStage: a move needs the stage to move the customers to");
    checkStage(journey, a.toStage, "toStage");
  } else if (a.toStage) throw new LiveSopError("BAD_USER_INPUT", "toStage: only a move takes a stage; a removal ends the customers' journey");
  if (a.filter.staffId) {
    const [staff] = await db.sql.query(`SELECT 1 FROM staff WHERE id = $1 AND workspace_id = $2`, [a.filter.staffId, a.workspaceId]);
    if (!staff) throw new LiveSopError("NOT_FOUND", `filter.staffId: staff member "${a.filter.staffId}" not found`);
  }
  const batchSize = a.batchSize ?? 200;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BULK_BATCH) throw new LiveSopError("BAD_USER_INPUT", `batchSize: expected 1 to ${MAX_BULK_BATCH}, got ${batchSize}`);
  const params = [a.workspaceId, a.filter.journeyKey, a.filter.stage ?? null, a.filter.tag ?? null, a.filter.staffId ?? null, a.action === "move" ? a.toStage! : null];

  const byStage = await db.sql.query<{ stage: string; customers: number }>(
    `SELECT e.stage, count(*)::int AS customers FROM enrollments e WHERE ${MATCH} GROUP BY e.stage ORDER BY customers DESC, e.stage`,
    params,
  );
  const matched = byStage.reduce((n, s) => n + s.customers, 0);
  const result: BulkResult = { action: a.action, dryRun: a.dryRun, matched, byStage, changed: 0, batches: 0, cancelledSteps: 0 };
  if (a.expectedCount != null && a.expectedCount !== matched) {
    throw new LiveSopError("BAD_USER_INPUT", `expectedCount: the filter now matches ${matched} customer${matched === 1 ? "" : "s"}, not ${a.expectedCount}: preview again (nothing was changed)`);
  }
  if (a.dryRun || matched === 0) return result;

  for (let after = ""; ; ) {
    const page = await db.sql.transaction(async (tx) => {
      const rows = await tx.query<EnrollmentRow & { stage: string }>(
        `SELECT ${ENROLLMENT_COLUMNS.split(", ").map((c) => `e.${c}`).join(", ")}, e.stage FROM enrollments e WHERE ${MATCH} AND e.id > $7 ORDER BY e.id LIMIT $8 FOR UPDATE`,
        [...params, after, batchSize],
      );
      if (rows.length === 0) return null;
      if (a.action === "move") result.changed += await moveRows(tx, registry, rows, a.toStage!, a.now, notices);
      else {
        const removed = await endEnrollments(tx, { workspaceId: a.workspaceId, enrollmentIds: rows.map((r) => r.id), now: a.now });
        result.cancelledSteps += removed.cancelledSteps;
        notices.removedTasks?.push(...removed.cancelledTasks);
        notices.boards.add(a.workspaceId);
        result.changed += removed.enrollments;
      }
      result.batches++;
      return { last: rows[rows.length - 1]!.id, full: rows.length === batchSize };
    });
    if (!page) break;
    after = page.last;
    if (!page.full) break;
  }
  await writeAudit(db.sql, {
    workspaceId: a.workspaceId,
    actor: a.actor,
    action: `bulk.${a.action}`,
    target: `journey:${a.filter.journeyKey}`,
    before: { filter: a.filter, matched, byStage },
    after: { ...(a.toStage ? { stage: a.toStage } : {}), changed: result.changed, batches: result.batches, ...(a.action === "remove" ? { cancelledSteps: result.cancelledSteps } : {}), ...(a.reason ? { reason: a.reason } : {}) },
    at: a.now,
  });
  return result;
}

/** Manual moves (the core's `move` input, as from the board) of locked enrollments, written like the scheduler writes. */
async function moveRows(tx: SqlRunner, registry: JourneyRegistry, rows: EnrollmentRow[], to: string, at: Date, notices: Notices): Promise<number> {
  await registry.load(tx, rows.map((r) => ({ workspaceId: r.workspace_id, key: r.journey_key, version: r.journey_version })));
  const items: AdvancedEnrollment[] = [];
  for (const row of rows) {
    const journey = registry.get(row.workspace_id, row.journey_key, row.journey_version);
    // an older version may lack the stage: such customers stay where they are (publish with migrate first)
    if (!journey.definition.stages.some((s) => s.id === to)) continue;
    const { state, effects } = journey.advance(row.state, { type: "move", to, at, by: "bulk" });
    items.push({ row, state, effects });
  }
  await persistAdvances(tx, items, notices);
  return items.length;
}
