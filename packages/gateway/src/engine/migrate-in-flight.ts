import { type Effect, type Journey, JourneyInputError, type JourneyState } from "@sopline/core";
import type { Database, SqlRunner } from "../db/index.js";
import { textArray } from "../db/text-array.js";
import { type AdvancedEnrollment, ENROLLMENT_COLUMNS, type EnrollmentRow } from "./enrollment-row.js";
import type { JourneyRegistry } from "./journey-registry.js";
import { type Notices, emptyNotices, persistAdvances } from "./persist-advances.js";
import { ImpactTally, type PublishImpact } from "./publish-impact.js";

export interface MigrateInFlightArgs {
  workspaceId: string;
  /** The journey whose enrollments move: must be `to.id`. */
  journeyKey: string;
  /** The stored version they move onto. */
  to: Journey;
  /** Enrollments per batch (default 500). */
  batchSize?: number;
  /**
   * The publish time. Each state is first brought up to it on its old version (what the scheduler
   * would do at that instant anyway), so a new step whose time passed while the enrollment sat idle
   * (no wake since) is skipped as migrated rather than sent late; without it, the state's own clock.
   */
  at?: Date;
}

// In-flight enrollments of older versions, one page after `id` (keyset pagination: each page is
// an index range, however many customers the journey has).
const PAGE = `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments
  WHERE workspace_id = $1 AND journey_key = $2 AND journey_version < $3 AND ended_at IS NULL AND id > $4
  ORDER BY id LIMIT $5`;

/**
 * What publishing `to` would do to the customers already in the journey: the core's migrate() on
 * every in-flight enrollment of an older version, page by page, nothing written.
 */
export async function previewMigration(db: Database, registry: JourneyRegistry, args: MigrateInFlightArgs): Promise<PublishImpact> {
  await checkMigration(db.sql, args);
  const tally = new ImpactTally();
  for (let after = ""; ; ) {
    const rows = await db.sql.query<EnrollmentRow>(PAGE, [args.workspaceId, args.journeyKey, args.to.version, after, args.batchSize ?? 500]);
    if (rows.length === 0) break;
    await migrateRows(db.sql, registry, args, rows, tally);
    after = rows[rows.length - 1]!.id;
  }
  return tally.result();
}

/**
 * Moves every in-flight enrollment of an older version onto `to`, one transaction per page, with
 * the scheduler's guarantees: the pages' rows are locked (a scheduler batch holding one finishes
 * first), new states, skipped (`migrated`) deliveries keyed by the core's idempotency keys and
 * tags are written by persistAdvances, as the scheduler writes them. A failure leaves earlier
 * pages migrated and later ones on their old version; running it again continues.
 * `onCommitted` receives each page's notices after its commit (to publish them).
 */
export async function migrateInFlight(
  db: Database,
  registry: JourneyRegistry,
  args: MigrateInFlightArgs,
  onCommitted?: (notices: Notices) => void,
): Promise<PublishImpact> {
  await checkMigration(db.sql, args);
  const tally = new ImpactTally();
  for (let after = ""; ; ) {
    const notices = emptyNotices();
    const last = await db.sql.transaction(async (tx) => {
      const rows = await tx.query<EnrollmentRow>(`${PAGE} FOR UPDATE`, [args.workspaceId, args.journeyKey, args.to.version, after, args.batchSize ?? 500]);
      if (rows.length === 0) return undefined;
      const items = await migrateRows(tx, registry, args, rows, tally);
      await persistAdvances(tx, items, notices);
      await tx.execute(`UPDATE enrollments SET journey_version = $2 WHERE id = ANY($1::text[])`, [textArray(rows.map((r) => r.id)), args.to.version]);
      return rows[rows.length - 1]!.id;
    });
    if (last === undefined) break;
    onCommitted?.(notices);
    after = last;
  }
  return tally.result();
}

async function migrateRows(sql: SqlRunner, registry: JourneyRegistry, args: MigrateInFlightArgs, rows: EnrollmentRow[], tally: ImpactTally): Promise<AdvancedEnrollment[]> {
  await registry.load(sql, rows.map((r) => ({ workspaceId: r.workspace_id, key: r.journey_key, version: r.journey_version })));
  return rows.map((row) => {
    const from = registry.get(row.workspace_id, row.journey_key, row.journey_version);
    const caughtUp = catchUp(from, row.state, args.at);
    const { state, effects } = args.to.migrate(caughtUp.state);
    tally.add(from, args.to, state, effects);
    return { row, state, effects: [...caughtUp.effects, ...effects] };
  });
}

/** The state processed up to `at` on its own version (see MigrateInFlightArgs.at). */
function catchUp(from: Journey, state: JourneyState, at: Date | undefined): { state: JourneyState; effects: Effect[] } {
  if (!at || at.getTime() <= state.clock) return { state, effects: [] };
  const ticked = from.advance(state, { type: "tick", at: at.getTime() });
  // Nothing due before `at`: the core returns the state as it was (its fast path); processed up to
  // `at` it is the same state with the clock at `at`, as a full catch-up would leave it.
  return ticked.state === state ? { state: { ...state, clock: at.getTime() }, effects: [] } : ticked;
}

/**
 * Refuses before anything is written: a definition of another journey, and customers sitting in
 * a stage the new version no longer has (the core cannot place them).
 */
export async function checkMigration(sql: SqlRunner, args: MigrateInFlightArgs): Promise<void> {
  if (args.to.id !== args.journeyKey) {
    throw new JourneyInputError(`cannot migrate the customers of journey "${args.journeyKey}" to journey "${args.to.id}": a migration keeps the journey's id (publish "${args.to.id}" as a journey of its own)`);
  }
  const stages = args.to.definition.stages.map((s) => s.id);
  const lost = await sql.query<{ stage: string; n: number }>(
    `SELECT stage, count(*)::int AS n FROM enrollments
     WHERE workspace_id = $1 AND journey_key = $2 AND journey_version < $3 AND ended_at IS NULL AND NOT (stage = ANY($4::text[]))
     GROUP BY stage ORDER BY stage`,
    [args.workspaceId, args.journeyKey, args.to.version, textArray(stages)],
  );
  if (lost.length > 0) {
    throw new JourneyInputError(
      `cannot migrate journey "${args.journeyKey}" to version ${args.to.version}: ${lost.map((l) => `${l.n} customer${l.n === 1 ? " is" : "s are"} in stage "${l.stage}"`).join(", ")}, which it no longer has (keep the stage, or publish without migrating)`,
    );
  }
}
