/**
 * What a change_external_contact callback does to the database, in one transaction each:
 * add → customer + event + enrollment (+ the welcome delivery claimed for send_welcome_msg);
 * delete → that staff member's enrollments of the customer end, nothing else.
 */
import type { JourneyDefinition } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import type { AddExternalContactEvent, DelExternalContactEvent, DelFollowUserEvent } from "../channels/wecom/callback-events.js";
import { enrollmentKeyRanges } from "../delivery/read-by-range.js";
import { WECOM_FRIEND_CHANNELS, channelsOf, closeChannels, openChannels } from "../engine/closed-channels.js";
import { IN_RANGE, rangeParams, rangeRows } from "../engine/delivery-key-range.js";
import { enrollCustomers } from "../engine/enroll.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import type { Notices } from "../engine/persist-advances.js";
import { routeCustomer } from "../engine/segments.js";
import type { TaskPayload } from "../live/pubsub.js";
import { type ContactEvent, applyContactEvent, applyContactEvents } from "./apply-event.js";
import { CONTACT_DELETED, deletionData, deletionReason } from "./deletion.js";
import { skipUnsent } from "./skip-unsent.js";
import { findWelcomeStep } from "./welcome-step.js";

export interface ContactContext {
  tx: SqlRunner;
  registry: JourneyRegistry;
  workspaceId: string;
  now: Date;
  notices: Notices;
  /** Journey for customers no segment rule matches. */
  defaultJourney?: string;
  /** Lease on a claimed welcome delivery (the delivery worker takes it over after it). */
  welcomeLeaseMs: number;
}

/** The welcome delivery claimed for send_welcome_msg (status 'sending'). */
export interface ClaimedWelcome {
  key: string;
  attempts: number;
  content: string | null;
  body: unknown;
  /** the delivery's place, for its tracked links */
  workspaceId: string;
  customerId: string;
  journeyKey: string;
  stage: string;
  stepId: string;
}

export type AddContactResult =
  | { duplicate: true }
  | { duplicate: false; customerId: string; staffId: string; customerCreated: boolean; journeyKey: string | null; enrollmentId: string | null; welcome: ClaimedWelcome | null };

const eventAt = (createTime: number, now: Date) => new Date(Math.min(createTime * 1000, now.getTime()));

async function upsertStaff(tx: SqlRunner, workspaceId: string, userId: string): Promise<string> {
  // WeCom is the source of truth for members: one we have not seen yet is created.
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO staff (workspace_id, external_id, name) VALUES ($1, $2, $2)
     ON CONFLICT (workspace_id, external_id) DO UPDATE SET external_id = EXCLUDED.external_id RETURNING id`,
    [workspaceId, userId],
  );
  return row!.id;
}

/** Records the event once; false when this dedupe key was already processed (a WeCom retry). */
async function recordOnce(tx: SqlRunner, ctx: ContactContext, customerId: string, dedupeKey: string, name: string, at: Date, data: unknown): Promise<boolean> {
  const rows = await tx.query<{ event_id: string }>(
    `INSERT INTO events (workspace_id, event_id, customer_id, name, at, data) VALUES ($1, $2, $3, $4, $5, $6::jsonb)
     ON CONFLICT (workspace_id, event_id) DO NOTHING RETURNING event_id`,
    [ctx.workspaceId, dedupeKey, customerId, name, at, JSON.stringify(data)],
  );
  return rows.length > 0;
}

/**
 * add_external_contact: find or create the customer by ExternalUserID (owner: the adding staff
 * member if they have none), record the event (dedupe), feed it to their running journeys, then
 * enrol them — journey from the segment rules, else the default — with THIS staff member, and claim
 * the welcome delivery when the event carries a WelcomeCode.
 */
export async function handleAddContact(ctx: ContactContext, ev: AddExternalContactEvent, dedupeKey: string): Promise<AddContactResult> {
  const { tx, workspaceId, now } = ctx;
  const staffId = await upsertStaff(tx, workspaceId, ev.userId);
  const [customer] = await tx.query<{ id: string; created: boolean; attributes: Record<string, unknown>; timezone: string | null; birthday: string | null }>(
    `INSERT INTO customers (workspace_id, external_id, wecom_external_user_id, staff_id, attributes)
     VALUES ($1, 'wecom_external_user_id:' || $2, $2, $3, $4::jsonb)
     ON CONFLICT (workspace_id, wecom_external_user_id) DO UPDATE SET staff_id = COALESCE(customers.staff_id, EXCLUDED.staff_id)
     RETURNING id, (xmax = 0) AS created, attributes, timezone, birthday`,
    [workspaceId, ev.externalUserId, staffId, JSON.stringify(ev.state ? { wecomState: ev.state } : {})],
  );
  const customerId = customer!.id;
  const at = eventAt(ev.createTime, now);
  const data = { userId: ev.userId, externalUserId: ev.externalUserId, ...(ev.state ? { state: ev.state } : {}), welcomeCode: ev.welcomeCode !== undefined };
  if (!(await recordOnce(tx, ctx, customerId, dedupeKey, ev.type, at, data))) return { duplicate: true };
  // Added back: this member's WeCom touches reach the customer again in the journeys that went on.
  await tx.execute(
    `UPDATE enrollments SET closed_channels = ${openChannels(4)}, updated_at = now()
     WHERE workspace_id = $1 AND customer_id = $2 AND staff_id = $3 AND ended_at IS NULL AND closed_channels IS NOT NULL`,
    [workspaceId, customerId, staffId, [...WECOM_FRIEND_CHANNELS]],
  );
  await applyContactEvent(tx, ctx.registry, { workspaceId, customerId, event: { id: dedupeKey, name: ev.type, at, data }, now }, ctx.notices);

  const attributes = { ...customer!.attributes, wecomUserId: ev.userId, ...(ev.state ? { wecomState: ev.state } : {}) };
  const route = await routeCustomer(tx, workspaceId, attributes);
  const journeyKey = route?.journeyKey ?? ctx.defaultJourney ?? null;
  const base = { duplicate: false as const, customerId, staffId, customerCreated: customer!.created, journeyKey, enrollmentId: null, welcome: null };
  if (!journeyKey) return base;
  const [enrolled] = await enrollCustomers(
    tx,
    ctx.registry,
    [{ workspaceId, customer: { id: customerId, timezone: customer!.timezone, birthday: customer!.birthday, attributes }, journeyKey, staffId }],
    now,
    ctx.notices,
  );
  ctx.notices.boards.add(workspaceId);
  if (!enrolled?.created || ev.welcomeCode === undefined) return { ...base, enrollmentId: enrolled?.enrollmentId ?? null };
  const journey = await ctx.registry.latest(tx, workspaceId, journeyKey);
  const step = journey ? findWelcomeStep(journey.definition as JourneyDefinition) : undefined;
  if (!step) return { ...base, enrollmentId: enrolled.enrollmentId };
  // Claimed in this transaction: the delivery worker never sees it as 'due' while the welcome is sent.
  const [claimed] = await tx.query<ClaimedWelcome>(
    `UPDATE deliveries d SET status = 'sending', next_attempt_at = $2, attempts = d.attempts + 1
     FROM (SELECT d.key FROM ${rangeRows(3)} JOIN deliveries d ON ${IN_RANGE} WHERE d.step_id = $1 AND d.status = 'due' ORDER BY d.due_at LIMIT 1) w
     WHERE d.key = w.key
     RETURNING d.key, d.attempts, d.content, (SELECT body FROM contents WHERE workspace_id = d.workspace_id AND ref = d.content) AS body,
       d.workspace_id AS "workspaceId", d.customer_id AS "customerId", d.journey_key AS "journeyKey", d.stage, d.step_id AS "stepId"`,
    [step.stepId, new Date(now.getTime() + ctx.welcomeLeaseMs), ...rangeParams(await enrollmentKeyRanges(tx, [enrolled.enrollmentId]))],
  );
  return { ...base, enrollmentId: enrolled.enrollmentId, welcome: claimed ?? null };
}

export type DeleteContactResult =
  | { duplicate: true }
  | { duplicate: false; ignored: string }
  | { duplicate: false; customerId: string; staffId: string; endedEnrollments: number; closedEnrollments: number; skippedDeliveries: number; removedTasks: TaskPayload[] };

/**
 * del_external_contact (the member deleted the customer) / del_follow_user (the customer deleted the
 * member): ends only that member's enrollments of the customer, skips their unsent steps and open
 * tasks, records the event and feeds it to the customer's other journeys. A deletion caused by a
 * handover (Source DELETE_BY_TRANSFER) ends nothing: the journey moves with the customer.
 */
export async function handleDeleteContact(ctx: ContactContext, ev: DelExternalContactEvent | DelFollowUserEvent, dedupeKey: string): Promise<DeleteContactResult> {
  const { tx, workspaceId, now } = ctx;
  const [customer] = await tx.query<{ id: string }>(`SELECT id FROM customers WHERE workspace_id = $1 AND wecom_external_user_id = $2`, [workspaceId, ev.externalUserId]);
  if (!customer) return { duplicate: false, ignored: "unknown customer" };
  const staffId = await upsertStaff(tx, workspaceId, ev.userId);
  const at = eventAt(ev.createTime, now);
  const source = ev.type === "del_external_contact" ? ev.source : undefined;
  const data = { userId: ev.userId, externalUserId: ev.externalUserId, ...(source ? { source } : {}) };
  if (!(await recordOnce(tx, ctx, customer.id, dedupeKey, ev.type, at, data))) return { duplicate: true };
  const events: ContactEvent[] = [{ id: dedupeKey, name: ev.type, at, data }];
  const transfer = source === "DELETE_BY_TRANSFER";
  if (!transfer) {
    // The deletion as one event whatever its side, for the deletion rate and for journeys (`on: contact.deleted`).
    const deleted = { id: `${dedupeKey}:${CONTACT_DELETED}`, name: CONTACT_DELETED, at, data: deletionData(ev, staffId) };
    await recordOnce(tx, ctx, customer.id, deleted.id, deleted.name, at, deleted.data);
    events.push(deleted);
  }
  let ended: string[] = [];
  let closed: string[] = [];
  let skipped = 0;
  const removedTasks: TaskPayload[] = [];
  if (!transfer) {
    // That member's WeCom touches end. A journey with nothing else left to send ends; one that also
    // uses other channels (official account, SMS, …) goes on with its WeCom channels closed.
    const rows = await tx.query<{ id: string; journey_key: string; journey_version: number; closed_channels: string[] | null }>(
      `SELECT id, journey_key, journey_version, closed_channels FROM enrollments
       WHERE workspace_id = $1 AND customer_id = $2 AND staff_id = $3 AND ended_at IS NULL ORDER BY id FOR UPDATE`,
      [workspaceId, customer.id, staffId],
    );
    await ctx.registry.load(tx, rows.map((r) => ({ workspaceId, key: r.journey_key, version: r.journey_version })));
    for (const r of rows) {
      const open = [...channelsOf(ctx.registry.get(workspaceId, r.journey_key, r.journey_version).definition)].filter(
        (c) => !(WECOM_FRIEND_CHANNELS as readonly string[]).includes(c) && !(r.closed_channels ?? []).includes(c),
      );
      (open.length === 0 ? ended : closed).push(r.id);
    }
    if (ended.length > 0) {
      await tx.execute(`UPDATE enrollments SET ended_at = $2, next_wake_at = NULL, updated_at = now() WHERE id = ANY($1::text[])`, [ended, now]);
    }
    if (closed.length > 0) {
      await tx.execute(`UPDATE enrollments SET closed_channels = ${closeChannels(2)}, updated_at = now() WHERE id = ANY($1::text[])`, [closed, [...WECOM_FRIEND_CHANNELS]]);
    }
    const reason = deletionReason(ev.type);
    for (const [ids, channels] of [[ended, null], [closed, WECOM_FRIEND_CHANNELS]] as const) {
      const r = await skipUnsent(tx, { workspaceId, customerId: customer.id, enrollmentIds: ids, channels, reason, now });
      skipped += r.skipped;
      removedTasks.push(...r.removedTasks);
    }
    if (rows.length > 0) ctx.notices.boards.add(workspaceId);
  }
  await applyContactEvents(tx, ctx.registry, { workspaceId, customerId: customer.id, events, now, exceptStaffId: staffId }, ctx.notices);
  return { duplicate: false, customerId: customer.id, staffId, endedEnrollments: ended.length, closedEnrollments: closed.length, skippedDeliveries: skipped, removedTasks };
}
