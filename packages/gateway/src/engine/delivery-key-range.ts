import { stepKeyPrefix } from "@sopline/core";

/** The deliveries of one enrollment: keys in [from, to), byte order (deliveries.key is COLLATE "C"). */
export interface DeliveryKeyRange {
  enrollmentId: string;
  from: string;
  to: string;
}

/**
 * Every key the core gives an enrollment's steps starts with `journey:customer:` (its state's), so
 * the primary key serves as the per-enrollment index: the scheduler, which writes a row per step,
 * keeps no second index on deliveries for reading them back.
 */
export function deliveryKeyRange(enrollmentId: string, state: { journey: string; customer: string }): DeliveryKeyRange {
  const from = stepKeyPrefix(state.journey, state.customer);
  // the prefix ends in ":"; the next character bounds the range
  const to = from.slice(0, -1) + String.fromCharCode(from.charCodeAt(from.length - 1) + 1);
  return { enrollmentId, from, to };
}

/** The parameters for rangeRows: enrollment ids, lower and upper bounds. */
export function rangeParams(ranges: readonly DeliveryKeyRange[]): [string[], string[], string[]] {
  return [ranges.map((r) => r.enrollmentId), ranges.map((r) => r.from), ranges.map((r) => r.to)];
}

/** The ranges as rows `r(enrollment, lo, hi)`, from the three rangeParams starting at $first. */
export function rangeRows(first: number): string {
  return `unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::text[]) AS r(enrollment, lo, hi)`;
}

/** Delivery `d` is in range row `r` (the enrollment check keeps a range to its own enrollment whatever other keys look like). */
export const IN_RANGE = "d.key >= r.lo AND d.key < r.hi AND d.enrollment_id = r.enrollment";

/**
 * The keys of the deliveries in the range rows (from $first) that pass `where` (on `d`), as `k(key)`,
 * one index range scan per range. As a plain join of the ranges and deliveries, the planner (which
 * cannot tell how narrow a key range given as a parameter is) scans the whole table once there are a
 * few hundred ranges: 217 ms at 800,000 deliveries for an ingest batch that moved 500 customers and
 * skipped nothing. `OFFSET 0` keeps the subquery from being flattened back into that join.
 */
export function keysInRanges(first: number, where: string): string {
  return `(SELECT d.key FROM ${rangeRows(first)} CROSS JOIN LATERAL (SELECT d.key FROM deliveries d WHERE ${IN_RANGE} AND ${where} OFFSET 0) d) k`;
}
