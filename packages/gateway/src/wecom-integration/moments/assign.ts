import type { SqlRunner } from "../../db/index.js";
import type { DeliveryRequest } from "../../delivery/types.js";

/** The post a delivery rides on. */
export interface Assignment {
  postId: string;
}

// A post takes a customer while it is not yet published, or published and its period not over at
// the customer's due time. Newest first: after a failed post a new one is opened.
const FIND_POST = `
SELECT id FROM moment_posts
WHERE workspace_id = $1 AND staff_id = $2 AND content = $3
  AND (status IN ('waiting', 'posting') OR (status = 'posted' AND period_ends_at > $4))
ORDER BY created_at DESC, id LIMIT 1`;

// moment_posts_open_key (partial unique) keeps one unpublished post per (workspace, staff, content):
// a worker that loses the race re-reads the winner's post.
const OPEN_POST = `
INSERT INTO moment_posts (workspace_id, staff_id, sender, content, due_at, next_attempt_at, period_seconds, created_at)
VALUES ($1, $2, $3, $4, $5, $5, $6, $7)
ON CONFLICT (workspace_id, staff_id, content) WHERE status IN ('waiting', 'posting') DO NOTHING
RETURNING id`;

/**
 * Puts one claimed Moments delivery on its staff member's post for its content: the open post, the
 * published post whose period covers the delivery's due time, else a new post due at that time.
 * A delivery rides on one post only (moment_post_members.delivery_key is unique), so a retried claim
 * finds the post it already joined. Each statement commits on its own: no transaction is held.
 */
export async function assignToPost(sql: SqlRunner, d: DeliveryRequest & { staffId: string; staffExternalId: string; content: string }, periodMs: number, now: Date): Promise<Assignment> {
  const joined = await sql.query<Assignment>(
    `SELECT post_id AS "postId" FROM moment_post_members WHERE delivery_key = $1`,
    [d.key],
  );
  if (joined[0]) return joined[0];
  for (let attempt = 0; attempt < 3; attempt++) {
    let [post] = await sql.query<{ id: string }>(FIND_POST, [d.workspaceId, d.staffId, d.content, d.dueAt]);
    post ??= (await sql.query<{ id: string }>(OPEN_POST, [d.workspaceId, d.staffId, d.staffExternalId, d.content, d.dueAt, Math.round(periodMs / 1000), now]))[0];
    if (!post) continue;
    const [member] = await sql.query<{ post_id: string }>(
      `INSERT INTO moment_post_members (post_id, delivery_key, customer_id, external_user_id, joined_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (delivery_key) DO UPDATE SET delivery_key = EXCLUDED.delivery_key RETURNING post_id`,
      [post.id, d.key, d.customer.id, d.customer.wecomExternalUserId, now],
    );
    return { postId: member!.post_id };
  }
  throw new Error(`could not open a Moments post for staff ${d.staffExternalId} and content ${d.content} (contention)`);
}

/** The Moments period of each delivery's step (`moments.period` in the journey version it runs), if set. */
export async function stepPeriods(sql: SqlRunner, ds: DeliveryRequest[]): Promise<Map<string, unknown>> {
  if (ds.length === 0) return new Map();
  const rows = await sql.query<{ key: string; period: unknown }>(
    `SELECT v.key, jsonb_path_query_first(j.definition, '$.stages[*] ? (@.id == $stage).sop[*] ? (@.id == $step).moments.period',
              jsonb_build_object('stage', v.stage, 'step', v.step)) #>> '{}' AS period
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v(key, enrollment_id, stage, step)
     JOIN enrollments e ON e.id = v.enrollment_id
     JOIN journeys j ON j.workspace_id = e.workspace_id AND j.key = e.journey_key AND j.version = e.journey_version`,
    [ds.map((d) => d.key), ds.map((d) => d.enrollmentId), ds.map((d) => d.stage), ds.map((d) => d.stepId)],
  );
  // jsonb #>> '{}' gives text: a number of milliseconds comes back as digits.
  return new Map(rows.filter((r) => r.period !== null).map((r) => [r.key, typeof r.period === "string" && /^\d+$/.test(r.period) ? Number(r.period) : r.period]));
}
