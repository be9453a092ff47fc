/**
 * The tracked_messages table (one row per one-to-many message rendered with tracked links: a
 * 群发助手 task or a Moments post), who among a reader and the message's recipients is who, and
 * tracked_message_opens (opens nobody could be named for).
 */
import type { SqlRunner } from "../db/index.js";
import { textArray } from "../db/text-array.js";

/** What a one-to-many message is: its kind and row, and the dimensions its anonymous opens count under. */
export interface MessageInput {
  workspaceId: string;
  /** 'mass_send' (ref = mass_sends.id) | 'moment' (ref = moment_posts.id) */
  kind: MessageKind;
  ref: string;
  journeyKey: string;
  stage: string;
  stepId: string;
  content: string | null;
  channel: string;
  staffId: string;
}

export type MessageKind = "mass_send" | "moment";

export interface TrackedMessage extends MessageInput {
  id: bigint;
  links: string[];
}

/** A recipient's own delivery of a message (what their open is recorded under). */
export interface RecipientDelivery {
  deliveryKey: string;
  customerId: string;
  journeyKey: string;
  stage: string;
  stepId: string;
  content: string | null;
}

// A retried render (a Moments post tried again) meets its row and keeps the links stored first.
const TRACK = `
INSERT INTO tracked_messages (workspace_id, kind, ref, journey_key, stage, step_id, content, channel, staff_id, links)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[])
ON CONFLICT (kind, ref) DO UPDATE SET kind = EXCLUDED.kind
RETURNING id, links`;

/** Records the message once per (kind, ref); returns its id and stored links. */
export async function trackMessage(sql: SqlRunner, m: MessageInput, links: readonly string[]): Promise<{ id: bigint; links: string[] }> {
  const [row] = await sql.query<{ id: string; links: string[] | null }>(TRACK, [
    m.workspaceId, m.kind, m.ref, m.journeyKey, m.stage, m.stepId, m.content, m.channel, m.staffId, textArray([...links]),
  ]);
  return { id: BigInt(row!.id), links: row!.links ?? [] };
}

export async function loadMessage(sql: SqlRunner, id: bigint): Promise<TrackedMessage | null> {
  const [r] = await sql.query<{
    id: string; workspace_id: string; kind: MessageKind; ref: string; journey_key: string; stage: string; step_id: string; content: string | null; channel: string; staff_id: string; links: string[] | null;
  }>(`SELECT id, workspace_id, kind, ref, journey_key, stage, step_id, content, channel, staff_id, links FROM tracked_messages WHERE id = $1`, [id.toString()]);
  if (!r) return null;
  return {
    id: BigInt(r.id), workspaceId: r.workspace_id, kind: r.kind, ref: r.ref, journeyKey: r.journey_key, stage: r.stage, stepId: r.step_id,
    content: r.content, channel: r.channel, staffId: r.staff_id, links: r.links ?? [],
  };
}

/** loadMessage behind a bounded cache (rows never change; misses are cached as null too). */
export function cachedMessageLoader(sql: SqlRunner, maxEntries = 10_000): (id: bigint) => Promise<TrackedMessage | null> {
  const cache = new Map<bigint, Promise<TrackedMessage | null>>();
  return (id) => {
    const hit = cache.get(id);
    if (hit) return hit;
    const loading = loadMessage(sql, id);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(id, loading);
    loading.catch(() => cache.delete(id));
    return loading;
  };
}

// The recipients: a 群发 task's targets it reached or may have reached (not fail_list, not a
// friend, quota used), a Moments post's members who were tagged into its audience.
const RECIPIENT: Record<MessageKind, string> = {
  mass_send: `SELECT t.delivery_key FROM mass_send_targets t WHERE t.mass_send_id = $3 AND t.customer_id = c.id AND t.outcome IN ('pending', 'sent')`,
  moment: `SELECT m.delivery_key FROM moment_post_members m WHERE m.post_id = $3 AND m.customer_id = c.id AND m.status = 'tagged'`,
};

/** The delivery of the message to the customer whose official-account openid is `openid`, or null (not a recipient, or unknown). */
export async function recipientDelivery(sql: SqlRunner, message: TrackedMessage, openid: string): Promise<RecipientDelivery | null> {
  const [r] = await sql.query<{ key: string; customer_id: string; journey_key: string; stage: string; step_id: string; content: string | null }>(
    `SELECT d.key, d.customer_id, d.journey_key, d.stage, d.step_id, d.content
     FROM customers c JOIN deliveries d ON d.key IN (${RECIPIENT[message.kind]})
     WHERE c.workspace_id = $1 AND c.oa_open_id = $2 LIMIT 1`,
    [message.workspaceId, openid, message.ref],
  );
  return r ? { deliveryKey: r.key, customerId: r.customer_id, journeyKey: r.journey_key, stage: r.stage, stepId: r.step_id, content: r.content } : null;
}

/** Counts one anonymous open (once per `openKey`: a retried beacon is not a second open). */
export async function recordAnonymousOpen(sql: SqlRunner, o: { openKey: string; workspaceId: string; messageId: bigint; link: number; at: Date }): Promise<void> {
  await sql.execute(
    `INSERT INTO tracked_message_opens (open_key, workspace_id, message_id, link, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (open_key) DO NOTHING`,
    [o.openKey, o.workspaceId, o.messageId.toString(), o.link, o.at],
  );
}
