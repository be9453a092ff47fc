/**
 * What an official-account follow event does to the database, in one transaction each:
 * subscribe → customer by openid (+ `scene` from the QR code) + event `oa.subscribe` + enrolment
 * through the segment rules; unsubscribe → the customer's unsent official-account steps skipped,
 * `oa.unsubscribe` and `contact.deleted` recorded; SCAN (already following) → `oa.scan` and `scene`.
 */
import type { FollowEvent } from "../channels/wechat/message-push.js";
import { closeChannels, openChannels } from "../engine/closed-channels.js";
import { enrollCustomers } from "../engine/enroll.js";
import { routeCustomer } from "../engine/segments.js";
import type { TaskPayload } from "../live/pubsub.js";
import { type ContactEvent, applyContactEvents } from "./apply-event.js";
import { CONTACT_DELETED, type ContactDeletedData, deletionReason } from "./deletion.js";
import { skipUnsent } from "./skip-unsent.js";
import type { ContactContext } from "./contact-events.js";

const OA_CHANNEL = "official_account";

/** A friend-add's context without the welcome (a follower gets none); no defaultJourney: recorded, not enrolled. */
export type FollowContext = Omit<ContactContext, "welcomeLeaseMs">;

/** Customer attribute: false once the customer unfollowed (the official-account adapter sends nothing then). */
export const OA_SUBSCRIBED = "oaSubscribed";
/** Customer attribute: the scene of the parameterised QR code they followed or scanned through. */
export const OA_SCENE = "scene";

export type FollowResult =
  | { duplicate: true }
  | { duplicate: false; ignored: string }
  | { duplicate: false; type: "subscribe" | "scan"; customerId: string; customerCreated: boolean; journeyKey: string | null; enrollmentId: string | null }
  | { duplicate: false; type: "unsubscribe"; customerId: string; skippedDeliveries: number; removedTasks: TaskPayload[] };

const eventAt = (createTime: number, now: Date) => new Date(Math.min(createTime * 1000, now.getTime()));

async function recordOnce(ctx: FollowContext, customerId: string, e: ContactEvent): Promise<boolean> {
  const rows = await ctx.tx.query<{ event_id: string }>(
    `INSERT INTO events (workspace_id, event_id, customer_id, name, at, data) VALUES ($1, $2, $3, $4, $5, $6::jsonb)
     ON CONFLICT (workspace_id, event_id) DO NOTHING RETURNING event_id`,
    [ctx.workspaceId, e.id, customerId, e.name, e.at, JSON.stringify(e.data ?? {})],
  );
  return rows.length > 0;
}

export async function handleFollowEvent(ctx: FollowContext, ev: FollowEvent, dedupeKey: string): Promise<FollowResult> {
  return ev.type === "unsubscribe" ? unfollow(ctx, ev, dedupeKey) : follow(ctx, ev, dedupeKey);
}

/** subscribe / SCAN: the customer (created on a first follow), the event, and for a follow the enrolment. */
async function follow(ctx: FollowContext, ev: Extract<FollowEvent, { type: "subscribe" | "scan" }>, dedupeKey: string): Promise<FollowResult> {
  const { tx, workspaceId, now } = ctx;
  const set = { ...(ev.type === "subscribe" ? { [OA_SUBSCRIBED]: true } : {}), ...(ev.scene ? { [OA_SCENE]: ev.scene } : {}) };
  const [customer] = await tx.query<{ id: string; created: boolean; attributes: Record<string, unknown>; timezone: string | null; birthday: string | null; staff_id: string | null }>(
    `INSERT INTO customers (workspace_id, external_id, oa_open_id, attributes) VALUES ($1, 'oa_open_id:' || $2, $2, $3::jsonb)
     ON CONFLICT (workspace_id, oa_open_id) DO UPDATE SET attributes = customers.attributes || EXCLUDED.attributes
     RETURNING id, (xmax = 0) AS created, attributes, timezone, birthday, staff_id`,
    [workspaceId, ev.openid, JSON.stringify(set)],
  );
  const c = customer!;
  const event: ContactEvent = { id: dedupeKey, name: `oa.${ev.type}`, at: eventAt(ev.createTime, now), data: { openid: ev.openid, ...(ev.scene ? { scene: ev.scene } : {}) } };
  if (!(await recordOnce(ctx, c.id, event))) return { duplicate: true };
  if (ev.type === "subscribe") {
    // Following again: the account's steps reach them again in the journeys that went on.
    await tx.execute(
      `UPDATE enrollments SET closed_channels = ${openChannels(3)}, updated_at = now() WHERE workspace_id = $1 AND customer_id = $2 AND ended_at IS NULL AND closed_channels IS NOT NULL`,
      [workspaceId, c.id, [OA_CHANNEL]],
    );
  }
  await applyContactEvents(tx, ctx.registry, { workspaceId, customerId: c.id, events: [event], now }, ctx.notices);
  const base = { duplicate: false as const, type: ev.type, customerId: c.id, customerCreated: c.created, journeyKey: null, enrollmentId: null };
  if (ev.type === "scan") return base;
  // Segment rules read the customer's attributes plus where they came from: { source: "official_account", scene }.
  const route = await routeCustomer(tx, workspaceId, { source: "official_account", ...c.attributes });
  const journeyKey = route?.journeyKey ?? ctx.defaultJourney ?? null;
  if (!journeyKey) return base;
  const [enrolled] = await enrollCustomers(
    tx,
    ctx.registry,
    [{ workspaceId, customer: { id: c.id, timezone: c.timezone, birthday: c.birthday, attributes: c.attributes }, journeyKey, staffId: route?.staffId ?? c.staff_id }],
    now,
    ctx.notices,
  );
  ctx.notices.boards.add(workspaceId);
  return { ...base, journeyKey, enrollmentId: enrolled?.enrollmentId ?? null };
}

/**
 * unsubscribe: the official account can no longer reach the customer. In every journey of theirs
 * its channel closes: unsent official-account steps (and their tasks) are skipped with the reason,
 * later ones are recorded skipped; other channels go on. A journey they enter later (nothing closed
 * there) meets the `oaSubscribed: false` check of the adapter, which fails the step `unfollowed`.
 */
async function unfollow(ctx: FollowContext, ev: Extract<FollowEvent, { type: "unsubscribe" }>, dedupeKey: string): Promise<FollowResult> {
  const { tx, workspaceId, now } = ctx;
  const [customer] = await tx.query<{ id: string }>(
    `UPDATE customers SET attributes = attributes || $3::jsonb WHERE workspace_id = $1 AND oa_open_id = $2 RETURNING id`,
    [workspaceId, ev.openid, JSON.stringify({ [OA_SUBSCRIBED]: false })],
  );
  if (!customer) return { duplicate: false, ignored: "unknown follower" };
  const at = eventAt(ev.createTime, now);
  const raw: ContactEvent = { id: dedupeKey, name: "oa.unsubscribe", at, data: { openid: ev.openid } };
  if (!(await recordOnce(ctx, customer.id, raw))) return { duplicate: true };
  const data: ContactDeletedData = { by: "customer", channel: "official_account", source: "unsubscribe" };
  const deleted: ContactEvent = { id: `${dedupeKey}:${CONTACT_DELETED}`, name: CONTACT_DELETED, at, data };
  await recordOnce(ctx, customer.id, deleted);

  // Every journey of the customer: the account's steps close, the others go on.
  const enrollments = await tx.query<{ id: string }>(
    `UPDATE enrollments SET closed_channels = ${closeChannels(3)}, updated_at = now() WHERE workspace_id = $1 AND customer_id = $2 AND ended_at IS NULL RETURNING id`,
    [workspaceId, customer.id, [OA_CHANNEL]],
  );
  const { skipped, removedTasks } = await skipUnsent(tx, { workspaceId, customerId: customer.id, enrollmentIds: enrollments.map((e) => e.id), channels: [OA_CHANNEL], reason: deletionReason("unsubscribe"), now });
  if (skipped > 0) ctx.notices.boards.add(workspaceId);
  await applyContactEvents(tx, ctx.registry, { workspaceId, customerId: customer.id, events: [raw, deleted], now }, ctx.notices);
  return { duplicate: false, type: "unsubscribe", customerId: customer.id, skippedDeliveries: skipped, removedTasks };
}
