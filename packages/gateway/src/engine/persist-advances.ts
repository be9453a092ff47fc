import type { Effect, StepDueEffect } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import { textArray } from "../db/text-array.js";
import { loadGates } from "../live-sops/gates.js";
import type { AdvancedEnrollment } from "./enrollment-row.js";
import { closedChannelReason } from "./closed-channels.js";
import { type DeliveryInsert, insertDeliveries } from "./insert-deliveries.js";
import { skipDeferredOfLeftStages } from "./left-stage.js";
import { capMarketingTouches } from "./marketing-cap.js";
import { taskKind } from "./task-kind.js";

/** A task as published to live feeds. */
export interface TaskNotice {
  id: string;
  /** Null for a task created by the transaction that built the notice: numbered at its commit (the gateway's pubsub fills it in). */
  seq: string | null;
  workspaceId: string;
  staffId: string;
  customerId: string;
  kind: string;
  channel: string | null;
  content: string | null;
  title: string;
  dueAt: string;
  deliveryKey: string | null;
}

/** What changed, for subscriptions; published only after the transaction committed. */
export interface Notices {
  tasks: TaskNotice[];
  /** Workspaces whose board counts changed. */
  boards: Set<string>;
  /** `staffId`: the enrollment's owner (a staff token's timeline shows only its own enrollments). */
  timelines: Array<{ workspaceId: string; customerId: string; staffId: string | null; effects: Effect[] }>;
  fired: number;
  skipped: number;
  /** Tasks cancelled (a customer removed from a journey or opted out): their feeds drop them. */
  removedTasks?: TaskNotice[];
  /** Live items for a staff member's feed: a customer showing intent now, an escalated opportunity (src/opportunities). */
  alerts?: AlertNotice[];
}

/** A feed item that is not a task: carried in a task's shape (kind "alert", seq "0", id "alert:…") plus what happened. */
export interface AlertNotice extends TaskNotice {
  alert: {
    reason: "intent" | "escalation";
    /** the customer's event, or the opportunity's strongest signal for an escalation */
    event: string;
    customerName: string;
    contentTitle: string | null;
    at: string;
    /** the staff member who left it waiting (escalations) */
    forStaffId: string | null;
  };
}

export function emptyNotices(): Notices {
  return { tasks: [], boards: new Set(), timelines: [], fired: 0, skipped: 0, removedTasks: [] };
}

/**
 * Writes what the core decided, in the caller's transaction, with one batched statement per table
 * (deliveries: per workspace and journey of the batch):
 * new states and wake times, one delivery row per due or skipped step (unique idempotency key, so a
 * step can never be recorded twice), tasks for task-mode steps, tag changes.
 */
export async function persistAdvances(tx: SqlRunner, items: AdvancedEnrollment[], notices: Notices): Promise<void> {
  if (items.length === 0) return;
  // The states travel as one JSON array (paired with the other columns by position): as an array
  // literal each state's quotes would be escaped here and unescaped by the server.
  await tx.execute(
    `UPDATE enrollments e SET state = s.state, next_wake_at = v.wake, stage = v.stage, updated_at = now()
     FROM unnest($1::text[], $3::timestamptz[], $4::text[]) WITH ORDINALITY AS v(id, wake, stage, n)
     JOIN json_array_elements($2::json) WITH ORDINALITY AS s(state, n) ON s.n = v.n
     WHERE e.id = v.id`,
    [
      textArray(items.map((i) => i.row.id)),
      JSON.stringify(items.map((i) => i.state)),
      textArray(items.map((i) => (i.state.wake === null ? null : new Date(i.state.wake).toISOString()))),
      textArray(items.map((i) => i.state.stage)),
    ],
  );

  const deliveries: DeliveryInsert[] = [];
  const taskSteps: Array<{ item: AdvancedEnrollment; effect: StepDueEffect }> = [];
  const tagsAdded: Array<[string, string]> = [];
  const tagsRemoved: Array<[string, string]> = [];
  // Paused journeys and steps hold what falls due; a customer's do-not-disturb skips it (managing live SOPs).
  const dues = items.filter((i) => i.effects.some((e) => e.type === "step.due"));
  const gates = await loadGates(tx, dues.map((i) => i.row.workspace_id), dues.map((i) => i.row.customer_id));
  // Touches over the workspace's marketing cap keep their step and key but go out later (held and
  // opted-out ones do not go out now, so they take no room).
  // Do-not-disturb stops marketing; a service step (kind: "service": a notice, an answer) still goes.
  const gateOf = (item: AdvancedEnrollment, e: StepDueEffect) => {
    const { row } = item;
    const gate = gates.gate({ workspaceId: row.workspace_id, journeyKey: row.journey_key, stepId: e.stepId, customerId: row.customer_id, channel: e.channel });
    return gate === "opted-out" && item.journey?.touchPlan(item.state, e.stage, e.stepId)?.kind === "service" ? null : gate;
  };
  const deferred = await capMarketingTouches(tx, items, (item, e) => gateOf(item, e) === null);
  for (const item of items) {
    const { row } = item;
    let moved = false;
    const closed = row.closed_channels;
    for (const e of item.effects) {
      if (e.type === "step.due") {
        const base = { row, key: e.key, stage: e.stage, stepId: e.stepId, dueAt: e.dueAt, channel: e.channel, content: e.content, mode: isMassSend(e) ? ("mass_send" as const) : e.mode };
        if (closed && closed.includes(e.channel)) {
          deliveries.push({ ...base, status: "skipped", reason: closedChannelReason(e.channel) });
          notices.skipped++;
          continue;
        }
        const gate = gateOf(item, e);
        const later = gate === null ? deferred.get(e.key) : undefined;
        const placed = later ? { ...base, dueAt: later } : base;
        if (gate === "opted-out") {
          deliveries.push({ ...placed, status: "skipped", reason: "opted-out" });
          notices.skipped++;
          continue;
        }
        // 群发助手 steps are recorded as tasks without a per-customer task: the mass-send worker gathers them into a send slot.
        deliveries.push({ ...placed, status: gate ?? (e.mode === "task" || isMassSend(e) ? "task" : "due"), reason: gate === "held" ? "paused" : later ? "capped" : null });
        notices.fired++;
        if (e.mode === "task" && !isMassSend(e) && gate === null) taskSteps.push({ item, effect: later ? { ...e, dueAt: later } : e });
      } else if (e.type === "step.skipped") {
        deliveries.push({ row, key: e.key, stage: e.stage, stepId: e.stepId, dueAt: e.dueAt, channel: e.channel, content: e.content, status: "skipped", reason: e.reason });
        notices.skipped++;
      } else if (e.type === "tag.added") tagsAdded.push([row.customer_id, e.tag]);
      else if (e.type === "tag.removed") tagsRemoved.push([row.customer_id, e.tag]);
      else if (e.type === "stage.entered") moved = true;
    }
    if (moved) notices.boards.add(row.workspace_id);
    if (item.effects.length > 0) notices.timelines.push({ workspaceId: row.workspace_id, customerId: row.customer_id, staffId: row.staff_id, effects: item.effects });
  }
  if (deliveries.length > 0) await insertDeliveries(tx, deliveries);
  if (taskSteps.length > 0) await insertTasks(tx, taskSteps, notices);
  // Touches the cap deferred go out only while the customer is still in their stage.
  if (items.some((i) => i.effects.some((e) => e.type === "stage.exited"))) await skipDeferredOfLeftStages(tx, items, notices);
  if (tagsAdded.length > 0) {
    await tx.execute(
      `INSERT INTO customer_tags (customer_id, tag, source) SELECT c, t, 'rule' FROM unnest($1::text[], $2::text[]) AS v(c, t) ON CONFLICT DO NOTHING`,
      [tagsAdded.map((t) => t[0]), tagsAdded.map((t) => t[1])],
    );
  }
  if (tagsRemoved.length > 0) {
    await tx.execute(
      `DELETE FROM customer_tags ct USING unnest($1::text[], $2::text[]) AS v(c, t) WHERE ct.customer_id = v.c AND ct.tag = v.t`,
      [tagsRemoved.map((t) => t[0]), tagsRemoved.map((t) => t[1])],
    );
  }
}

/** A step whose definition sends it through 群发助手 (explicit: `delivery: "mass_send"`). */
export function isMassSend(e: StepDueEffect): boolean {
  return e.channel === "private_chat" && e.delivery === "mass_send";
}

/**
 * A task goes to the step's assignee when that names a staff member of the workspace (by id or
 * external id, e.g. "sales-lead"), otherwise to the customer's staff member; with neither, the
 * delivery stays recorded (status `task`) and shows as unassigned.
 */
export async function insertTasks(tx: SqlRunner, steps: Array<{ item: AdvancedEnrollment; effect: StepDueEffect }>, notices: Notices): Promise<void> {
  const named = [...new Set(steps.map((s) => s.effect.assignee).filter((a): a is string => a !== undefined))];
  const byRef = new Map<string, string>();
  if (named.length > 0) {
    const rows = await tx.query<{ id: string; external_id: string; workspace_id: string }>(
      `SELECT id, external_id, workspace_id FROM staff WHERE workspace_id = ANY($1::text[]) AND (id = ANY($2::text[]) OR external_id = ANY($2::text[]))`,
      [[...new Set(steps.map((s) => s.item.row.workspace_id))], named],
    );
    for (const r of rows) {
      byRef.set(`${r.workspace_id}\u0000${r.id}`, r.id);
      byRef.set(`${r.workspace_id}\u0000${r.external_id}`, r.id);
    }
  }
  const t = { ws: [] as string[], staff: [] as string[], customer: [] as string[], key: [] as string[], kind: [] as string[], channel: [] as string[], content: [] as string[], title: [] as string[], due: [] as string[] };
  for (const { item, effect } of steps) {
    const staff = (effect.assignee && byRef.get(`${item.row.workspace_id}\u0000${effect.assignee}`)) ?? item.row.staff_id;
    if (!staff) continue;
    t.ws.push(item.row.workspace_id);
    t.staff.push(staff);
    t.customer.push(item.row.customer_id);
    t.key.push(effect.key);
    t.kind.push(taskKind(effect.channel));
    t.channel.push(effect.channel);
    t.content.push(effect.content);
    t.title.push(effect.title ?? `${effect.stepId}: ${effect.content}`);
    t.due.push(effect.dueAt);
  }
  if (t.key.length === 0) return;
  const rows = await tx.query<{ id: string; seq: string | null; workspace_id: string; staff_id: string; customer_id: string; kind: string; channel: string | null; content: string | null; title: string; due_at: Date; delivery_key: string | null }>(
    `INSERT INTO tasks (workspace_id, staff_id, customer_id, delivery_key, kind, channel, content, title, due_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
     ON CONFLICT (delivery_key) DO NOTHING
     RETURNING id, seq::text AS seq, workspace_id, staff_id, customer_id, kind, channel, content, title, due_at, delivery_key`,
    [t.ws, t.staff, t.customer, t.key, t.kind, t.channel, t.content, t.title, t.due],
  );
  for (const r of rows) {
    notices.tasks.push({ id: r.id, seq: r.seq, workspaceId: r.workspace_id, staffId: r.staff_id, customerId: r.customer_id, kind: r.kind, channel: r.channel, content: r.content, title: r.title, dueAt: new Date(r.due_at).toISOString(), deliveryKey: r.delivery_key });
  }
}
