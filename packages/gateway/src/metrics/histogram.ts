import type { SqlRunner } from "../db/sql.js";
import { MAX_TOUCH_BUCKET } from "./constants.js";
import { checkRange } from "./range.js";

export interface TouchBucket {
  /** touches the customer received (before converting, if they did); the last bucket is "this many or more" */
  touches: number;
  orMore: boolean;
  customers: number;
  converted: number;
  /** converted / customers */
  conversionRate: number | null;
}

export interface HistogramQuery {
  journeyKey?: string | null;
  staffId?: string | null;
  /** entry weeks from … to (days, inclusive: the weeks whose Monday falls in them) */
  cohortFrom?: string | null;
  cohortTo?: string | null;
}

/** Touches per customer (per journey) with the conversion rate of each bucket: "6+ touches convert better". */
export async function touchHistogram(sql: SqlRunner, workspaceId: string, q: HistogramQuery): Promise<TouchBucket[]> {
  if (q.cohortFrom && q.cohortTo) checkRange(q.cohortFrom, q.cohortTo, { from: "cohortFrom", to: "cohortTo" });
  const rows = await sql.query<{ touches: number; customers: number; converted: number }>(
    `SELECT touches, sum(customers)::int AS customers, sum(converted)::int AS converted FROM metric_touch_histogram
     WHERE workspace_id = $1 AND ($2::text IS NULL OR journey_key = $2) AND ($3::text IS NULL OR staff_id = $3)
       AND ($4::text IS NULL OR cohort_week >= $4) AND ($5::text IS NULL OR cohort_week <= $5)
     GROUP BY touches HAVING sum(customers) > 0 ORDER BY touches`,
    [workspaceId, q.journeyKey ?? null, q.staffId ?? null, q.cohortFrom ?? null, q.cohortTo ?? null],
  );
  return rows.map((r) => ({
    touches: r.touches,
    orMore: r.touches >= MAX_TOUCH_BUCKET,
    customers: r.customers,
    converted: r.converted,
    conversionRate: r.customers > 0 ? r.converted / r.customers : null,
  }));
}
