import type { Database } from "../db/index.js";
import { IN_RANGE, rangeParams, rangeRows } from "../engine/delivery-key-range.js";
import { customerKeyRanges } from "./read-by-range.js";

/** One delivery as operators see it (for the GraphQL layer). */
export interface DeliveryStatusRow {
  key: string;
  customerId: string;
  journeyKey: string;
  stage: string;
  stepId: string;
  channel: string;
  content: string | null;
  mode: string;
  /** due | sending | pending | sent | failed | skipped | task */
  status: string;
  reason: string | null;
  /** the provider's error code for failed ones (e.g. "43101", "84061", "not_a_friend") */
  providerError: string | null;
  providerId: string | null;
  attempts: number;
  dueAt: Date;
  nextAttemptAt: Date | null;
  sentAt: Date | null;
}

export interface DeliveryStatusFilter {
  customerId?: string | null;
  status?: string | null;
  channel?: string | null;
  /** at most 500 (default 50) */
  limit?: number | null;
}

/** Deliveries of a workspace, newest due first, optionally for one customer / status / channel. */
export async function deliveryStatus(db: Database, workspaceId: string, filter: DeliveryStatusFilter = {}): Promise<DeliveryStatusRow[]> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  // One customer's: their enrollments' key ranges (deliveries have no index by customer).
  const ranges = filter.customerId ? await customerKeyRanges(db.sql, workspaceId, [filter.customerId]) : null;
  if (ranges?.length === 0) return [];
  const from = ranges
    ? `${rangeRows(6)} JOIN deliveries d ON ${IN_RANGE}`
    : "deliveries d";
  const rows = await db.sql.query<{
    key: string; customer_id: string; journey_key: string; stage: string; step_id: string; channel: string; content: string | null; mode: string;
    status: string; reason: string | null; provider_error: string | null; provider_id: string | null; attempts: number; due_at: Date; next_attempt_at: Date | null; sent_at: Date | null;
  }>(
    `SELECT d.key, d.customer_id, d.journey_key, d.stage, d.step_id, d.channel, d.content, d.mode, d.status, d.reason, d.provider_error, d.provider_id, d.attempts, d.due_at, d.next_attempt_at, d.sent_at
     FROM ${from}
     WHERE d.workspace_id = $1 AND ($2::text IS NULL OR d.customer_id = $2) AND ($3::text IS NULL OR d.status = $3) AND ($4::text IS NULL OR d.channel = $4)
     ORDER BY d.due_at DESC, d.key LIMIT $5`,
    [workspaceId, filter.customerId ?? null, filter.status ?? null, filter.channel ?? null, limit, ...(ranges ? rangeParams(ranges) : [])],
  );
  return rows.map((r) => ({
    key: r.key,
    customerId: r.customer_id,
    journeyKey: r.journey_key,
    stage: r.stage,
    stepId: r.step_id,
    channel: r.channel,
    content: r.content,
    mode: r.mode,
    status: r.status,
    reason: r.reason,
    providerError: r.provider_error,
    providerId: r.provider_id,
    attempts: r.attempts,
    dueAt: new Date(r.due_at),
    nextAttemptAt: r.next_attempt_at ? new Date(r.next_attempt_at) : null,
    sentAt: r.sent_at ? new Date(r.sent_at) : null,
  }));
}

/** Count of a workspace's deliveries per status (e.g. for a delivery health panel). */
export async function deliveryCounts(db: Database, workspaceId: string): Promise<Record<string, number>> {
  const rows = await db.sql.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM deliveries WHERE workspace_id = $1 GROUP BY status`, [workspaceId]);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
