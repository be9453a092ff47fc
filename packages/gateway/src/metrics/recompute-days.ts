import type { SqlRunner } from "../db/sql.js";
import { DIMENSION_COLUMN, GRAINS, METRICS_TIMEZONE, METRIC_EVENTS as E, REPLY_WINDOWS_MS, dayOf, weekOf } from "./constants.js";
import { type JourneyGoal, goalParams, goalsTable } from "./goals.js";

// Parameters of every statement here: $1 workspace, $2 the days (date[]; NULL = every day).
const DAY_FILTER = (col: string) => `($2::date[] IS NULL OR ${col} = ANY($2::date[]))`;
// Events of the days: the time range first (the BRIN index on events.at), then the exact days.
const EVENT_DAYS = (alias: string) => `($2::date[] IS NULL OR (
  ${alias}.at >= ((SELECT min(x) FROM unnest($2::date[]) x)::timestamp AT TIME ZONE '${METRICS_TIMEZONE}')
  AND ${alias}.at < (((SELECT max(x) FROM unnest($2::date[]) x) + 1)::timestamp AT TIME ZONE '${METRICS_TIMEZONE}')
  AND ${dayOf(`${alias}.at`)} = ANY($2::date[])))`;

const replied = (windowMs: number) => `(t.outcome <> 'failed' AND EXISTS (
  SELECT 1 FROM events r WHERE r.customer_id = t.customer_id AND r.at > t.at AND r.at <= t.at + interval '${windowMs / 1000} seconds'
    AND r.name = '${E.replied}' AND r.workspace_id = $1))::int`;

// Columns of a fact: the dimensions, then the measures in metric_daily's order.
const MEASURES = "sent, mass_confirmed, failed, opened, read, read_seconds, clicked, replied_24h, replied_72h, deleted, converted, opened_anonymous";

/** Touch measures on the touch's day: delivered, and whether a reply came within 24 h / 72 h. */
const TOUCH_FACTS = `
  SELECT t.day, t.journey_key, t.stage, t.step_id, t.content, t.channel, t.staff_id, t.cohort_week,
    (t.outcome = 'sent')::int, (t.outcome = 'mass')::int, (t.outcome = 'failed')::int, 0, 0, 0::bigint, 0,
    ${replied(REPLY_WINDOWS_MS.h24)}, ${replied(REPLY_WINDOWS_MS.h72)}, 0, 0, 0
  FROM metric_touches t WHERE t.workspace_id = $1 AND ${DAY_FILTER("t.day")}`;

/**
 * Event measures on the event's day, under the touch they belong to: the delivery a tracked link
 * names (data.deliveryKey), else the customer's last touch before the event. Nothing before it:
 * counted with empty dimensions (journey ''), under the customer's staff member.
 */
const EVENT_FACTS = `
  SELECT ${dayOf("e.at")}, COALESCE(k.journey_key, l.journey_key, ''), COALESCE(k.stage, l.stage, ''), COALESCE(k.step_id, l.step_id, ''),
    COALESCE(k.content, l.content, e.data->>'content', ''), COALESCE(k.channel, l.channel, ''), COALESCE(k.staff_id, l.staff_id, c.staff_id, ''),
    COALESCE(k.cohort_week, l.cohort_week, ''),
    0, 0, 0, (e.name = '${E.opened}')::int, (e.name = '${E.read}')::int,
    CASE WHEN e.name = '${E.read}' AND jsonb_typeof(e.data->'seconds') = 'number' THEN GREATEST(round((e.data->>'seconds')::numeric), 0)::bigint ELSE 0 END,
    (e.name = '${E.clicked}')::int, 0, 0, (e.name = '${E.deleted}')::int, 0, 0
  FROM events e
  LEFT JOIN customers c ON c.id = e.customer_id
  LEFT JOIN metric_touches k ON k.delivery_key = e.data->>'deliveryKey' AND k.workspace_id = $1
  LEFT JOIN LATERAL (
    SELECT * FROM metric_touches l WHERE k.delivery_key IS NULL AND l.customer_id = e.customer_id AND l.at <= e.at AND l.outcome <> 'failed'
    ORDER BY l.at DESC LIMIT 1) l ON true
  WHERE e.workspace_id = $1 AND ${EVENT_DAYS("e")}
    AND (e.name IN ('${E.opened}', '${E.read}', '${E.clicked}')
      -- the operators' deletion rate: the customer deleted (or blocked) the staff member, not the reverse
      OR (e.name = '${E.deleted}' AND COALESCE(e.data->>'by', 'customer') = 'customer'))`;

/**
 * Anonymous opens of one-to-many messages (a 群发 task's or Moments post's link opened by someone
 * who is not, or could not be named as, one of its recipients: src/tracking message-handler.ts) on
 * the open's day, under the message's journey, stage, step, content, channel and staff member; no
 * customer, so no cohort (''). Counted in opened and in opened_anonymous. A recipient's own open
 * is an event above, not one of these.
 */
const ANONYMOUS_OPEN_FACTS = `
  SELECT ${dayOf("o.at")}, m.journey_key, m.stage, m.step_id, COALESCE(m.content, ''), m.channel, m.staff_id, '',
    0, 0, 0, 1, 0, 0::bigint, 0, 0, 0, 0, 0, 1
  FROM tracked_message_opens o JOIN tracked_messages m ON m.id = o.message_id
  WHERE o.workspace_id = $1 AND ${EVENT_DAYS("o")}`;

/**
 * Conversions on the goal event's day: the first goal event of an enrollment within the goal's
 * window of entering, attributed to the customer's last touch of that journey before it.
 */
const CONVERSION_FACTS = `
  SELECT ${dayOf("cv.at")}, cv.journey_key, COALESCE(l.stage, ''), COALESCE(l.step_id, ''), COALESCE(l.content, ''), COALESCE(l.channel, ''),
    COALESCE(l.staff_id, cv.staff_id, ''), COALESCE(l.cohort_week, cv.cohort_week),
    0, 0, 0, 0, 0, 0::bigint, 0, 0, 0, 0, 1, 0
  FROM (
    SELECT DISTINCT ON (e.event_id, g.journey_key) e.customer_id, e.at, g.journey_key, en.staff_id, ${weekOf("en.created_at")} AS cohort_week
    FROM events e
    JOIN ${goalsTable(3)} ON g.event = e.name
    JOIN enrollments en ON en.customer_id = e.customer_id AND en.workspace_id = $1 AND en.journey_key = g.journey_key
      AND en.created_at <= e.at AND (g.within_ms IS NULL OR e.at <= en.created_at + g.within_ms * interval '1 millisecond')
    WHERE e.workspace_id = $1 AND ${EVENT_DAYS("e")}
      AND NOT EXISTS (SELECT 1 FROM events p WHERE p.customer_id = e.customer_id AND p.workspace_id = $1 AND p.name = e.name
        AND p.at >= en.created_at AND (p.at < e.at OR (p.at = e.at AND p.event_id < e.event_id)))
    ORDER BY e.event_id, g.journey_key, en.created_at DESC
  ) cv
  LEFT JOIN LATERAL (
    SELECT * FROM metric_touches l WHERE l.customer_id = cv.customer_id AND l.journey_key = cv.journey_key AND l.at <= cv.at AND l.outcome <> 'failed'
    ORDER BY l.at DESC LIMIT 1) l ON true`;

/** Inserts the rollup rows of the days from the facts ($1 workspace, $2 days, $3… goals). Exported for EXPLAIN in the benchmark. */
export const DAILY_INSERT = `WITH facts (day, journey_key, stage, step_id, content, channel, staff_id, cohort_week, ${MEASURES}) AS (
       ${TOUCH_FACTS} UNION ALL ${EVENT_FACTS} UNION ALL ${ANONYMOUS_OPEN_FACTS} UNION ALL ${CONVERSION_FACTS})
     INSERT INTO metric_daily (workspace_id, grain, day, journey_key, stage, step_id, content, channel, staff_id, cohort_week, ${MEASURES})
     SELECT $1, CASE GROUPING(stage, step_id, content, channel, staff_id, cohort_week) ${GRAINS.map((g) => `WHEN ${g.mask} THEN '${g.name}'`).join(" ")} END,
       day, journey_key, COALESCE(stage, ''), COALESCE(step_id, ''), COALESCE(content, ''), COALESCE(channel, ''), COALESCE(staff_id, ''), COALESCE(cohort_week, ''),
       sum(sent), sum(mass_confirmed), sum(failed), sum(opened), sum(read), sum(read_seconds), sum(clicked), sum(replied_24h), sum(replied_72h), sum(deleted), sum(converted), sum(opened_anonymous)
     FROM facts
     GROUP BY day, journey_key, GROUPING SETS (${GRAINS.map((g) => `(${g.dims.filter((d) => d !== "journey").map((d) => DIMENSION_COLUMN[d]).join(", ")})`).join(", ")})`;

/**
 * Recomputes metric_daily and metric_event_daily for the given China-time days ("YYYY-MM-DD"; null:
 * every day) of one workspace from metric_touches and events: each day's rows are replaced whole,
 * so running it twice gives the same rows. Run it inside one transaction.
 */
export async function recomputeDays(sql: SqlRunner, workspaceId: string, days: string[] | null, goals: JourneyGoal[]): Promise<void> {
  await sql.execute(`DELETE FROM metric_daily WHERE workspace_id = $1 AND ${DAY_FILTER("day")}`, [workspaceId, days]);
  await sql.execute(DAILY_INSERT, [workspaceId, days, ...goalParams(goals)]);
  await sql.execute(`DELETE FROM metric_event_daily WHERE workspace_id = $1 AND ${DAY_FILTER("day")}`, [workspaceId, days]);
  await sql.execute(
    `INSERT INTO metric_event_daily (workspace_id, day, name, staff_id, count)
     SELECT $1, ${dayOf("e.at")}, e.name, COALESCE(c.staff_id, ''), count(*)::int
     FROM events e LEFT JOIN customers c ON c.id = e.customer_id
     WHERE e.workspace_id = $1 AND ${EVENT_DAYS("e")}
     GROUP BY 2, 3, 4`,
    [workspaceId, days],
  );
}
