import type { SqlRunner } from "../db/index.js";
import { textArray } from "../db/text-array.js";

/** DND rows use this channel for "every channel". */
export const ALL_CHANNELS = "*";

/** What holds back a step that fell due: its journey or step is paused, or the customer opted out of its channel. */
export interface Gates {
  /** `held` (paused: recorded, released on resume) or `opted-out` (skipped), else null. */
  gate(step: { workspaceId: string; journeyKey: string; stepId: string; customerId: string; channel: string }): "held" | "opted-out" | null;
}

const OPEN: Gates = { gate: () => null };

const gateLock = "hashtext('sopline:gates:' || w)";

/**
 * Serialises a change of gates (pause, resume, do-not-disturb: `exclusive`) with the writers that
 * read them (`shared`, taken by loadGates), per workspace, until the transaction ends. Without it a
 * scheduler batch that read the gates just before a pause committed would record its steps as due
 * after the pause had held the others; with it the pause waits for that batch, then holds its steps.
 */
export async function lockGates(tx: SqlRunner, workspaceIds: readonly string[], mode: "shared" | "exclusive"): Promise<void> {
  const ids = [...new Set(workspaceIds)].sort();
  if (ids.length === 0) return;
  const fn = mode === "shared" ? "pg_advisory_xact_lock_shared" : "pg_advisory_xact_lock";
  await tx.query(`SELECT ${fn}(${gateLock}) FROM unnest($1::text[]) AS w ORDER BY w`, [textArray(ids)]);
}

/**
 * The pauses of the batch's workspaces and the do-not-disturb rows of its customers, in one
 * statement per scheduler batch (both tables are small and indexed by what is asked).
 */
export async function loadGates(tx: SqlRunner, workspaceIds: readonly string[], customerIds: readonly string[]): Promise<Gates> {
  if (workspaceIds.length === 0) return OPEN;
  await lockGates(tx, workspaceIds, "shared");
  const rows = await tx.query<{ k: "p" | "d"; w: string; a: string; b: string }>(
    `SELECT 'p' AS k, workspace_id AS w, journey_key AS a, step_id AS b FROM journey_pauses WHERE workspace_id = ANY($1::text[])
     UNION ALL
     SELECT 'd', workspace_id, customer_id, channel FROM do_not_disturb WHERE customer_id = ANY($2::text[])`,
    [textArray([...new Set(workspaceIds)]), textArray([...new Set(customerIds)])],
  );
  if (rows.length === 0) return OPEN;
  const paused = new Set<string>();
  const dnd = new Set<string>();
  for (const r of rows) (r.k === "p" ? paused : dnd).add(`${r.w}\u0000${r.a}\u0000${r.b}`);
  return {
    gate(s) {
      const customer = `${s.workspaceId}\u0000${s.customerId}\u0000`;
      if (dnd.has(customer + s.channel) || dnd.has(customer + ALL_CHANNELS)) return "opted-out";
      const journey = `${s.workspaceId}\u0000${s.journeyKey}\u0000`;
      if (paused.has(journey) || paused.has(journey + s.stepId)) return "held";
      return null;
    },
  };
}
