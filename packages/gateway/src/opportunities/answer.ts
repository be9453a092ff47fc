import type { SqlRunner } from "../db/index.js";
import { textArray } from "../db/text-array.js";

/**
 * The staff member answered these customers at `at` (a chat or call task done, a chat message
 * reported sent): their open opportunities that started by then leave the lists. A signal after
 * `at` opens a new one. Returns how many were answered.
 * @example await answerOpportunities(tx, workspaceId, [customerId], now)
 */
export async function answerOpportunities(tx: SqlRunner, workspaceId: string, customerIds: readonly string[], at: Date): Promise<number> {
  if (customerIds.length === 0) return 0;
  const rows = await tx.query<{ id: string }>(
    `UPDATE opportunities SET answered_at = $3
     WHERE workspace_id = $1 AND customer_id = ANY($2::text[]) AND answered_at IS NULL AND first_signal_at <= $3
     RETURNING id`,
    [workspaceId, textArray([...new Set(customerIds)]), at],
  );
  return rows.length;
}
