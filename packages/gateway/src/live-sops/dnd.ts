import { CHANNELS } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import { customerKeyRanges } from "../delivery/read-by-range.js";
import type { TaskPayload } from "../live/pubsub.js";
import { type Actor, writeAudit } from "./audit.js";
import { ALL_CHANNELS, lockGates } from "./gates.js";
import { cancelPendingSteps } from "./remove.js";

/** Messages that, sent alone by a customer, turn on do-not-disturb (workspace setting `optOutKeywords`). */
export const DEFAULT_OPT_OUT_KEYWORDS = ["退订", "别发了", "TD"];

export interface DndChange {
  workspaceId: string;
  customerId: string;
  /** one channel, or null for every channel */
  channel: string | null;
  on: boolean;
  source: "api" | "keyword";
  reason?: string | null;
  actor: Actor;
  now: Date;
  /**
   * Wait for writers that read the gates (lockGates), so none records a step as due right after
   * the cancel ran (default). Only where the transaction holds nothing yet: the keyword path runs
   * inside event ingestion, which already holds row locks, and skips it (a step a concurrent
   * scheduler batch records in that instant can still go out).
   */
  lock?: boolean;
}

export interface DndResult {
  customerId: string;
  channel: string | null;
  on: boolean;
  /** false when it already was so */
  changed: boolean;
  /** unsent steps of the customer on that channel skipped as `opted-out` (turning on) */
  skippedSteps: number;
  /** their open tasks, skipped (for the staff members' live feeds) */
  cancelledTasks: TaskPayload[];
}

/**
 * Turns a customer's do-not-disturb on or off for a channel (or every channel), in the caller's
 * transaction. On: the customer's unsent marketing steps on it in every journey are skipped
 * (`opted-out`) at once (a `kind: "service"` step still goes), and steps falling due later are skipped as they fall due (engine/persist-advances.ts).
 * Off: later steps go out again; what was skipped stays skipped. Audited when something changed.
 */
export async function setDoNotDisturb(tx: SqlRunner, c: DndChange): Promise<DndResult> {
  const channel = c.channel ?? ALL_CHANNELS;
  const result: DndResult = { customerId: c.customerId, channel: c.channel, on: c.on, changed: false, skippedSteps: 0, cancelledTasks: [] };
  if (c.on) {
    if (c.lock !== false) await lockGates(tx, [c.workspaceId], "exclusive");
    result.changed =
      (await tx.execute(
        `INSERT INTO do_not_disturb (workspace_id, customer_id, channel, source, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [c.workspaceId, c.customerId, channel, c.source, c.reason ?? null, c.now],
      )) > 0;
    const { steps, tasks } = await cancelPendingSteps(tx, {
      workspaceId: c.workspaceId,
      ranges: await customerKeyRanges(tx, c.workspaceId, [c.customerId]),
      reason: "opted-out",
      now: c.now,
      channels: c.channel ? [c.channel] : null,
      // as for steps falling due later (persist-advances.ts): a service step still goes
      marketingOnly: true,
    });
    result.skippedSteps = steps;
    result.cancelledTasks = tasks;
  } else {
    // Off for every channel clears every row; off for one channel clears that channel's.
    result.changed = (await tx.execute(`DELETE FROM do_not_disturb WHERE customer_id = $1 AND workspace_id = $2 AND ($3::text IS NULL OR channel = $3)`, [c.customerId, c.workspaceId, c.channel])) > 0;
  }
  if (result.changed) {
    await writeAudit(tx, {
      workspaceId: c.workspaceId,
      actor: c.actor,
      action: c.on ? "dnd.set" : "dnd.clear",
      target: `customer:${c.customerId}`,
      before: { channel, doNotDisturb: !c.on },
      after: { channel, doNotDisturb: c.on, source: c.source, ...(c.reason ? { reason: c.reason } : {}), ...(c.on ? { skippedSteps: result.skippedSteps } : {}) },
      at: c.now,
    });
  }
  return result;
}

/** A customer's do-not-disturb channels ("*" = every channel). */
export async function doNotDisturbOf(sql: SqlRunner, customerIds: readonly string[]): Promise<Map<string, Array<{ channel: string; source: string; reason: string | null; since: Date }>>> {
  const rows = await sql.query<{ customer_id: string; channel: string; source: string; reason: string | null; created_at: Date }>(
    `SELECT customer_id, channel, source, reason, created_at FROM do_not_disturb WHERE customer_id = ANY($1::text[]) ORDER BY channel`,
    [[...customerIds]],
  );
  const map = new Map<string, Array<{ channel: string; source: string; reason: string | null; since: Date }>>();
  for (const r of rows) {
    const list = map.get(r.customer_id) ?? [];
    list.push({ channel: r.channel, source: r.source, reason: r.reason, since: new Date(r.created_at) });
    map.set(r.customer_id, list);
  }
  return map;
}

const EDGES = /^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu;

/**
 * The keyword a message opts out with, or null. A keyword matches a message that is only that
 * keyword (case and surrounding punctuation ignored: "td", "TD!", "退订。"); a keyword with
 * non-ASCII letters also matches inside a longer message ("别发了谢谢"), an ASCII one does not
 * ("STD", "TDD" are words of their own).
 */
export function optOutKeyword(text: string, keywords: readonly string[]): string | null {
  const message = text.replace(EDGES, "").toLowerCase();
  if (message === "") return null;
  for (const keyword of keywords) {
    const k = keyword.replace(EDGES, "").toLowerCase();
    if (k === "") continue;
    if (message === k) return keyword;
    if (/[^\x00-\x7f]/.test(k) && message.includes(k)) return keyword;
  }
  return null;
}

/** An incoming message event: its name starts with "message" (e.g. message.replied, message.received). */
export const isMessageEvent = (name: string) => name === "message" || name.startsWith("message.");

/**
 * Incoming message events whose text is an opt-out keyword turn on do-not-disturb for their
 * channel (`data.channel` when it is one of the core's channels, else every channel), recorded with the customer as the actor.
 */
export async function applyOptOutKeywords(
  tx: SqlRunner,
  workspaceId: string,
  keywords: readonly string[],
  events: ReadonlyArray<{ customerId: string; name: string; data?: unknown }>,
  now: Date,
): Promise<TaskPayload[]> {
  const cancelled: TaskPayload[] = [];
  if (keywords.length === 0) return cancelled;
  for (const e of events) {
    if (!isMessageEvent(e.name) || typeof e.data !== "object" || e.data === null) continue;
    const data = e.data as { text?: unknown; content?: unknown; channel?: unknown };
    const text = typeof data.text === "string" ? data.text : typeof data.content === "string" ? data.content : null;
    if (text === null || text.length > 200) continue;
    const keyword = optOutKeyword(text, keywords);
    if (!keyword) continue;
    // a channel the journeys know, else every channel
    const channel = typeof data.channel === "string" && (CHANNELS as readonly string[]).includes(data.channel) ? data.channel : null;
    const r = await setDoNotDisturb(tx, { workspaceId, customerId: e.customerId, channel, on: true, source: "keyword", reason: keyword, lock: false, actor: { kind: "customer", id: e.customerId }, now });
    cancelled.push(...r.cancelledTasks);
  }
  return cancelled;
}
