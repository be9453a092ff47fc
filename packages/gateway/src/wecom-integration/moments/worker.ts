import type { WeComApi } from "../../channels/wecom/api.js";
import type { Clock } from "../../clock.js";
import type { Database, SqlRunner } from "../../db/index.js";
import { classifyFailure } from "../../delivery/errors.js";
import { createPolling } from "../../engine/polling.js";
import { type PerWorkspace, forWorkspace } from "../clients.js";
import { momentMessage } from "../content.js";
import type { RenderMessage } from "../render-message.js";
import { type MomentsPolicy, DEFAULT_MOMENTS_POLICY, localDay, nextSlotFrom, resolveMomentsPolicy } from "./policy.js";

export interface MomentsWorkerOptions {
  db: Database;
  api: PerWorkspace<WeComApi>;
  clock: Clock;
  /** The gateway's policy (already validated); a workspace's `settings.moments` overrides it. */
  policy?: MomentsPolicy;
  workspaceIds?: string[];
  /** Posts claimed per round (default 50). */
  batchSize?: number;
  /** A claimed post is taken over after this (default 2 min). */
  leaseMs?: number;
  /** Transient failures: tries in all (default 5), first backoff (default 1 min, doubling). */
  retry?: { maxAttempts?: number; baseMs?: number };
  /** Delete a post's enterprise tag once its period is over, or once it failed (default true). */
  removeTagAfterPeriod?: boolean;
  /** Tag group the cohort tags are created in (default "sopline Moments"). */
  tagGroupName?: string;
  intervalMs?: number;
  log?: (message: string) => void;
  /** Renders each post's body with tracked links naming the post (src/tracking); absent: links go out as written. */
  renderMessage?: RenderMessage;
}

export interface MomentsRunStats {
  /** add_moment_task calls that succeeded */
  posted: number;
  /** posts held for the next day by the daily cap */
  deferred: number;
  /** customers tagged into a post already published (due later within its period) */
  joined: number;
  /** deliveries failed (mark_tag refused, post failed) */
  failed: number;
  tagsRemoved: number;
}

export interface MomentsWorker {
  runOnce(now?: Date): Promise<MomentsRunStats>;
  start(): void;
  stop(): Promise<void>;
}

interface PostRow {
  id: string;
  workspace_id: string;
  staff_id: string;
  sender: string;
  content: string;
  due_at: Date;
  period_seconds: number;
  tag_id: string | null;
  jobid: string | null;
  attempts: number;
}

const MAX_WAIT_MS = 3_600_000;
const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Publishes the Moments calendar: each post (opened by the Moments adapter when a customer's step
 * falls due) gets an enterprise tag, its customers are tagged (mark_tag) and ONE add_moment_task is
 * created for its staff member, visible to that tag only. At most `postsPerStaffPerDay` posts per
 * staff member per local day: further posts wait for the next day at their slot's time (never
 * dropped). Customers due later within a published post's period are tagged into it and their
 * deliveries ride on it. After the period the tag is deleted.
 */
export function createMomentsWorker(options: MomentsWorkerOptions): MomentsWorker {
  const { db, clock } = options;
  const base = options.policy ?? DEFAULT_MOMENTS_POLICY;
  const batchSize = options.batchSize ?? 50;
  const leaseMs = options.leaseMs ?? 120_000;
  const maxAttempts = options.retry?.maxAttempts ?? 5;
  const baseMs = options.retry?.baseMs ?? 60_000;
  const groupName = options.tagGroupName ?? "sopline Moments";
  const sql: SqlRunner = db.sql;

  async function policyOf(workspaceId: string, cache: Map<string, MomentsPolicy>): Promise<MomentsPolicy> {
    const hit = cache.get(workspaceId);
    if (hit) return hit;
    const [row] = await sql.query<{ moments: unknown }>(`SELECT settings->'moments' AS moments FROM workspaces WHERE id = $1`, [workspaceId]);
    const p = resolveMomentsPolicy(row?.moments ?? undefined, base, "settings.moments");
    cache.set(workspaceId, p);
    return p;
  }

  function apiOf(workspaceId: string): WeComApi {
    const api = forWorkspace(options.api, workspaceId);
    if (!api) throw Object.assign(new Error(`no WeCom client for workspace ${workspaceId}`), { code: "not_configured", permanent: true });
    return api;
  }

  /**
   * The post's body with tracked links naming the post. Its step is its first member's (one post
   * may serve several steps with the same content); a retried post keeps its links.
   */
  async function tracked(post: PostRow, body: unknown): Promise<unknown> {
    if (!options.renderMessage || body === undefined || body === null) return body;
    const [first] = await sql.query<{ journey_key: string; stage: string; step_id: string }>(
      `SELECT d.journey_key, d.stage, d.step_id FROM moment_post_members m JOIN deliveries d ON d.key = m.delivery_key
       WHERE m.post_id = $1 ORDER BY m.joined_at, m.delivery_key LIMIT 1`,
      [post.id],
    );
    if (!first) return body;
    return options.renderMessage(
      { workspaceId: post.workspace_id, kind: "moment", ref: post.id, journeyKey: first.journey_key, stage: first.stage, stepId: first.step_id, content: post.content, channel: "moments", staffId: post.staff_id },
      body,
    );
  }

  /** Fails deliveries still waiting on a post (their member rows too). */
  async function failDeliveries(keys: string[], code: string, reason: string): Promise<number> {
    if (keys.length === 0) return 0;
    await sql.execute(`UPDATE moment_post_members SET status = 'failed', error = $2 WHERE delivery_key = ANY($1::text[]) AND status <> 'tagged'`, [keys, `${code}: ${reason}`.slice(0, 1_000)]);
    return sql.execute(`UPDATE deliveries SET status = 'failed', provider_error = $2, reason = $3 WHERE key = ANY($1::text[]) AND status = 'pending'`, [keys, code, reason.slice(0, 1_000)]);
  }

  /** mark_tag for the post's members whose delivery waits on it. Returns the keys tagged; a transient failure stops and throws. */
  async function tagMembers(api: WeComApi, post: PostRow, tagId: string, now: Date, stats: MomentsRunStats): Promise<string[]> {
    const members = await sql.query<{ delivery_key: string; external_user_id: string }>(
      `SELECT m.delivery_key, m.external_user_id FROM moment_post_members m JOIN deliveries d ON d.key = m.delivery_key
       WHERE m.post_id = $1 AND m.status = 'joined' AND d.status = 'pending' ORDER BY m.joined_at, m.delivery_key`,
      [post.id],
    );
    const tagged: string[] = [];
    for (const m of members) {
      try {
        await api.markTag({ userid: post.sender, external_userid: m.external_user_id, add_tag: [tagId] });
      } catch (e) {
        const f = classifyFailure(e);
        if (!f.permanent) throw e;
        // e.g. 84061: no longer this staff member's customer
        stats.failed += await failDeliveries([m.delivery_key], f.code, `mark_tag: ${f.message}`);
        continue;
      }
      await sql.execute(`UPDATE moment_post_members SET status = 'tagged', tagged_at = $2 WHERE delivery_key = $1`, [m.delivery_key, now]);
      tagged.push(m.delivery_key);
    }
    return tagged;
  }

  async function markSent(keys: string[], jobid: string, now: Date): Promise<void> {
    if (keys.length === 0) return;
    await sql.execute(`UPDATE deliveries SET status = 'sent', sent_at = $2, provider_id = $3 WHERE key = ANY($1::text[]) AND status = 'pending'`, [keys, now, jobid]);
  }

  /** Back to 'waiting' until `at`; a wait that is not a failure (the cap, customers still being recorded) does not use up a try. */
  async function release(post: PostRow, at: Date, error: string | null, failedTry = true): Promise<void> {
    await sql.execute(
      `UPDATE moment_posts SET status = 'waiting', next_attempt_at = $2, error = $3, attempts = attempts - $4 WHERE id = $1 AND status = 'posting'`,
      [post.id, at, error, failedTry ? 0 : 1],
    );
  }

  async function publish(post: PostRow, now: Date, policies: Map<string, MomentsPolicy>, stats: MomentsRunStats): Promise<void> {
    let policy: MomentsPolicy;
    try {
      policy = await policyOf(post.workspace_id, policies);
    } catch (e) {
      // An operator's typo must not lose touches: the post waits until the setting is fixed.
      options.log?.(`moments: ${(e as Error).message}`);
      return release(post, new Date(now.getTime() + MAX_WAIT_MS), (e as Error).message);
    }
    const day = localDay(now.getTime(), policy.utcOffsetMinutes);
    const [{ n } = { n: 0 }] = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM moment_posts WHERE staff_id = $1 AND status = 'posted' AND posted_at >= $2 AND posted_at < $3`,
      [post.staff_id, new Date(day.start), new Date(day.next)],
    );
    if (n >= policy.postsPerStaffPerDay) {
      stats.deferred++;
      return release(post, new Date(nextSlotFrom(new Date(post.due_at).getTime(), day.next)), null, false);
    }
    try {
      const api = apiOf(post.workspace_id);
      const [content] = await sql.query<{ body: unknown }>(`SELECT body FROM contents WHERE workspace_id = $1 AND ref = $2`, [post.workspace_id, post.content]);
      const message = momentMessage(post.content, await tracked(post, content?.body));
      let tagId = post.tag_id;
      if (!tagId) {
        const local = new Date(now.getTime() + policy.utcOffsetMinutes * 60_000);
        const name = `${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())} ${[...post.content].slice(0, 16).join("")} ${post.id.slice(0, 6)}`;
        const { tag_group } = await api.addCorpTag({ group_name: groupName, tag: [{ name }] });
        tagId = tag_group.tag[0]!.id;
        await sql.execute(`UPDATE moment_posts SET tag_id = $2, tag_name = $3 WHERE id = $1`, [post.id, tagId, name]);
      }
      await tagMembers(api, post, tagId, now, stats);
      // Members tagged by an earlier attempt of this post count too; 'recording' = joined while the
      // delivery worker has not recorded their delivery 'pending' yet.
      const [counts = { tagged: 0, recording: 0 }] = await sql.query<{ tagged: number; recording: number }>(
        `SELECT count(*) FILTER (WHERE m.status = 'tagged')::int AS tagged,
                count(*) FILTER (WHERE m.status = 'joined' AND d.status IN ('due', 'sending'))::int AS recording
         FROM moment_post_members m JOIN deliveries d ON d.key = m.delivery_key WHERE m.post_id = $1`,
        [post.id],
      );
      if (counts.tagged === 0) {
        // Nobody to show it to yet: customers whose delivery is still being recorded, or all refused / skipped.
        if (counts.recording > 0) return release(post, new Date(now.getTime() + 60_000), null, false);
        await sql.execute(`UPDATE moment_posts SET status = 'failed', error = 'no customer could be tagged' WHERE id = $1`, [post.id]);
        return;
      }
      const { jobid } = await api.addMomentTask({
        ...message,
        visible_range: { sender_list: { user_list: [post.sender] }, external_contact_list: { tag_list: [tagId] } },
      });
      await sql.execute(
        `UPDATE moment_posts SET status = 'posted', jobid = $2, posted_at = $3, period_ends_at = $3::timestamptz + make_interval(secs => period_seconds), error = NULL WHERE id = $1`,
        [post.id, jobid, now],
      );
      stats.posted++;
      const keys = await sql.query<{ k: string }>(`SELECT delivery_key AS k FROM moment_post_members WHERE post_id = $1 AND status = 'tagged'`, [post.id]);
      await markSent(keys.map((r) => r.k), jobid, now);
    } catch (e) {
      const f = classifyFailure(e);
      if (f.permanent || post.attempts >= maxAttempts) {
        const reason = f.permanent ? f.message : `gave up after ${post.attempts} attempts: ${f.message}`;
        await sql.execute(`UPDATE moment_posts SET status = 'failed', error = $2 WHERE id = $1`, [post.id, `${f.code}: ${reason}`.slice(0, 1_000)]);
        const keys = (await sql.query<{ k: string }>(`SELECT delivery_key AS k FROM moment_post_members WHERE post_id = $1`, [post.id])).map((r) => r.k);
        stats.failed += await failDeliveries(keys, f.code, reason);
        return;
      }
      return release(post, new Date(now.getTime() + Math.min(MAX_WAIT_MS, baseMs * 2 ** Math.max(0, post.attempts - 1))), `${f.code}: ${f.message}`.slice(0, 1_000));
    }
  }

  /** Customers due later within a published post's period: tag them into it; they ride on it. */
  async function joinLate(now: Date, stats: MomentsRunStats): Promise<void> {
    const posts = await sql.query<PostRow>(
      `SELECT p.* FROM moment_posts p
       WHERE p.status = 'posted' AND ($1::text[] IS NULL OR p.workspace_id = ANY($1::text[]))
         AND EXISTS (SELECT 1 FROM moment_post_members m JOIN deliveries d ON d.key = m.delivery_key
                     WHERE m.post_id = p.id AND m.status = 'joined' AND d.status = 'pending')
       ORDER BY p.posted_at LIMIT $2`,
      [options.workspaceIds ?? null, batchSize],
    );
    for (const post of posts) {
      try {
        const tagged = await tagMembers(apiOf(post.workspace_id), post, post.tag_id!, now, stats);
        await markSent(tagged, post.jobid!, now);
        stats.joined += tagged.length;
      } catch (e) {
        options.log?.(`moments: tagging late customers into post ${post.id} failed, retried next run: ${classifyFailure(e).message}`);
      }
    }
    // A delivery recorded 'pending' after its post failed (a race with the worker): fail it too.
    const orphans = await sql.query<{ k: string; error: string | null }>(
      `SELECT m.delivery_key AS k, p.error FROM moment_posts p JOIN moment_post_members m ON m.post_id = p.id JOIN deliveries d ON d.key = m.delivery_key
       WHERE p.status = 'failed' AND d.status = 'pending' AND ($1::text[] IS NULL OR p.workspace_id = ANY($1::text[])) LIMIT 1000`,
      [options.workspaceIds ?? null],
    );
    for (const o of orphans) stats.failed += await failDeliveries([o.k], "moment_post_failed", o.error ?? "its Moments post failed");
  }

  async function removeTags(now: Date, stats: MomentsRunStats): Promise<void> {
    if (options.removeTagAfterPeriod === false) return;
    const posts = await sql.query<{ id: string; workspace_id: string; tag_id: string }>(
      `SELECT id, workspace_id, tag_id FROM moment_posts
       WHERE ((status = 'posted' AND period_ends_at <= $1) OR status = 'failed') AND tag_id IS NOT NULL AND tag_removed_at IS NULL
         AND ($2::text[] IS NULL OR workspace_id = ANY($2::text[]))
       ORDER BY period_ends_at NULLS FIRST LIMIT $3`,
      [now, options.workspaceIds ?? null, batchSize],
    );
    for (const p of posts) {
      try {
        await apiOf(p.workspace_id).delCorpTag({ tag_id: [p.tag_id] });
      } catch (e) {
        const f = classifyFailure(e);
        if (!(f.permanent && f.code === "40068")) {
          options.log?.(`moments: removing tag ${p.tag_id} failed, retried next run: ${f.message}`);
          continue;
        }
        // 40068: the tag is gone already (deleted in the admin console)
      }
      await sql.execute(`UPDATE moment_posts SET tag_removed_at = $2 WHERE id = $1`, [p.id, now]);
      stats.tagsRemoved++;
    }
  }

  async function runOnce(now: Date = clock()): Promise<MomentsRunStats> {
    const stats: MomentsRunStats = { posted: 0, deferred: 0, joined: 0, failed: 0, tagsRemoved: 0 };
    const policies = new Map<string, MomentsPolicy>();
    for (;;) {
      // Waiting posts whose time has come, and 'posting' ones whose lease expired (a crashed worker's).
      const claimed = await sql.query<PostRow>(
        `UPDATE moment_posts SET status = 'posting', next_attempt_at = $2, attempts = attempts + 1
         WHERE id = ANY(ARRAY(
           SELECT id FROM moment_posts
           WHERE status IN ('waiting', 'posting') AND next_attempt_at <= $1 AND ($3::text[] IS NULL OR workspace_id = ANY($3::text[]))
           ORDER BY due_at, created_at, id LIMIT $4 FOR UPDATE SKIP LOCKED))
         RETURNING id, workspace_id, staff_id, sender, content, due_at, period_seconds, tag_id, jobid, attempts`,
        [now, new Date(now.getTime() + leaseMs), options.workspaceIds ?? null, batchSize],
      );
      claimed.sort((a, b) => new Date(a.due_at).getTime() - new Date(b.due_at).getTime() || a.id.localeCompare(b.id));
      for (const post of claimed) await publish(post, now, policies, stats);
      if (claimed.length < batchSize) break;
    }
    await joinLate(now, stats);
    await removeTags(now, stats);
    return stats;
  }

  const polling = createPolling("moments worker", () => runOnce(), options.intervalMs ?? 1_000, options.log);
  return { runOnce, start: polling.start, stop: polling.stop };
}
