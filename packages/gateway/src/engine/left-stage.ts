import { stepKeyPrefix } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import { cancelPendingSteps } from "../live-sops/remove.js";
import type { AdvancedEnrollment } from "./enrollment-row.js";
import { releaseMarketingTouches } from "./marketing-cap.js";
import type { Notices } from "./persist-advances.js";

/**
 * A touch the marketing cap deferred (recorded `capped`, due later) belongs to the stage visit it
 * fell due in: once the customer leaves that stage it is skipped with reason `left-stage` instead of
 * sent (an offer after the purchase). Runs after the batch's deliveries are written, so a touch
 * deferred and left in one tick is skipped too, and its room under the cap is given back. Touches
 * that were not deferred are left alone.
 */
export async function skipDeferredOfLeftStages(tx: SqlRunner, items: readonly AdvancedEnrollment[], notices: Notices): Promise<number> {
  const byWorkspace = new Map<string, { ranges: Array<{ enrollmentId: string; from: string; to: string }>; at: number }>();
  for (const item of items) {
    for (const e of item.effects) {
      if (e.type !== "stage.exited") continue;
      // every key of that visit starts with `journey:customer:stage:visit:`
      const from = `${stepKeyPrefix(e.journey, e.customer)}${e.stage}:${e.visit}:`;
      const entry = byWorkspace.get(item.row.workspace_id) ?? { ranges: [], at: 0 };
      entry.ranges.push({ enrollmentId: item.row.id, from, to: `${from.slice(0, -1)};` });
      entry.at = Math.max(entry.at, Date.parse(e.at));
      byWorkspace.set(item.row.workspace_id, entry);
    }
  }
  let skipped = 0;
  for (const [workspaceId, { ranges, at }] of byWorkspace) {
    const { steps, tasks, skipped: gone } = await cancelPendingSteps(tx, { workspaceId, ranges, reason: "left-stage", onlyReason: "capped", now: new Date(at) });
    // their days under the cap are free again for the customer's other touches
    await releaseMarketingTouches(tx, gone);
    skipped += steps;
    notices.skipped += steps;
    notices.removedTasks?.push(...tasks);
    if (steps > 0) notices.boards.add(workspaceId);
  }
  return skipped;
}
