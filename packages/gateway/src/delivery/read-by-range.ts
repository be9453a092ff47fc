// Reads of deliveries per enrollment or per customer. There is no index on deliveries by customer
// or enrollment: an enrollment's deliveries are one range of the primary key (delivery-key-range.ts),
// so these queries join the ranges and let each range stop at its own LIMIT.
import type { Delivery, SqlRunner } from "../db/index.js";
import { type DeliveryKeyRange, IN_RANGE, deliveryKeyRange, rangeParams, rangeRows } from "../engine/delivery-key-range.js";

/** Every Delivery field, named as Prisma names them, so rows read here are Prisma `Delivery` values. */
const AS_DELIVERY = `d.key, d.workspace_id AS "workspaceId", d.enrollment_id AS "enrollmentId", d.customer_id AS "customerId",
  d.journey_key AS "journeyKey", d.stage, d.step_id AS "stepId", d.due_at AS "dueAt", d.channel, d.content, d.mode, d.status,
  d.reason, d.provider_error AS "providerError", d.attempts, d.created_at AS "createdAt", d.sent_at AS "sentAt",
  d.next_attempt_at AS "nextAttemptAt", d.provider_id AS "providerId"`;

/** The key ranges of customers' enrollments in a workspace, ended enrollments included. */
export async function customerKeyRanges(sql: SqlRunner, workspaceId: string, customerIds: readonly string[]): Promise<DeliveryKeyRange[]> {
  if (customerIds.length === 0) return [];
  return rangesOf(sql, "workspace_id = $1 AND customer_id = ANY($2::text[])", [workspaceId, [...customerIds]]);
}

/** The key ranges of enrollments (by id). */
export async function enrollmentKeyRanges(sql: SqlRunner, enrollmentIds: readonly string[]): Promise<DeliveryKeyRange[]> {
  if (enrollmentIds.length === 0) return [];
  return rangesOf(sql, "id = ANY($1::text[])", [[...enrollmentIds]]);
}

async function rangesOf(sql: SqlRunner, where: string, params: unknown[]): Promise<DeliveryKeyRange[]> {
  const rows = await sql.query<{ id: string; journey: string; customer: string }>(
    `SELECT id, state->>'journey' AS journey, state->>'customer' AS customer FROM enrollments WHERE ${where}`,
    params,
  );
  return rows.map((r) => deliveryKeyRange(r.id, r));
}

/** Each enrollment's deliveries, newest due first, at most `limit` per enrollment. */
export async function deliveriesPerEnrollment(sql: SqlRunner, workspaceId: string, ranges: readonly DeliveryKeyRange[], limit: number): Promise<Map<string, Delivery[]>> {
  const byEnrollment = new Map<string, Delivery[]>();
  if (ranges.length === 0) return byEnrollment;
  const rows = await sql.query<Delivery>(
    `SELECT ${AS_DELIVERY} FROM ${rangeRows(2)}
     CROSS JOIN LATERAL (
       SELECT * FROM deliveries d WHERE ${IN_RANGE} AND d.workspace_id = $1
       ORDER BY d.due_at DESC, d.key DESC LIMIT $5) d
     ORDER BY d.due_at DESC, d.key DESC`,
    [workspaceId, ...rangeParams(ranges), limit],
  );
  for (const r of rows) {
    const list = byEnrollment.get(r.enrollmentId);
    if (list) list.push(r);
    else byEnrollment.set(r.enrollmentId, [r]);
  }
  return byEnrollment;
}

export interface DueFilter {
  channel: string;
  now: Date;
  limit: number;
}

/** Deliveries in these ranges still due on a channel at `now`, newest due first. */
export async function dueDeliveries(sql: SqlRunner, workspaceId: string, ranges: readonly DeliveryKeyRange[], filter: DueFilter): Promise<Delivery[]> {
  if (ranges.length === 0) return [];
  return sql.query<Delivery>(
    `SELECT ${AS_DELIVERY} FROM ${rangeRows(2)}
     JOIN deliveries d ON ${IN_RANGE}
     WHERE d.workspace_id = $1 AND d.channel = $5 AND d.status = 'due' AND d.due_at <= $6
     ORDER BY d.due_at DESC, d.key ASC LIMIT $7`,
    [workspaceId, ...rangeParams(ranges), filter.channel, filter.now, filter.limit],
  );
}
