import { createPolling } from "../../engine/polling.js";
import type { WeComApi } from "../../channels/wecom/api.js";
import type { RemindPolicy } from "../../channels/wecom/mass-send-limits.js";
import { DEFAULT_WECOM_LIMITS } from "../../channels/wecom/validate.js";
import type { Clock } from "../../clock.js";
import type { Database } from "../../db/index.js";
import { type LivePubSub, boardTopic, taskTopic } from "../../live/pubsub.js";
import type { TaskPayload } from "../../live/pubsub.js";
import { type PerWorkspace, forWorkspace } from "../clients.js";
import { claimMassSends } from "./claim.js";
import { createMassSend, recoverStaleCreates } from "./create.js";
import { claimPolls, pollMassSend } from "./poll.js";
import { sendReminders } from "./remind.js";
import type { RenderMessage } from "../render-message.js";
import type { MassSendBudget } from "./slots.js";

export interface MassSendWorkerOptions {
  db: Database;
  api: PerWorkspace<WeComApi>;
  clock: Clock;
  /** Only these workspaces (default: every workspace `api` has a client for). */
  workspaceIds?: string[];
  pubsub?: LivePubSub;
  /**
   * Defaults for workspaces whose settings.massSend leaves them out: send slots ("HH:mm", default
   * 10:00 and 20:00), their zone (default the workspace's timezone, else Asia/Shanghai) and the
   * per-customer budget (default 1 a day, at most the month's days a month; WECHAT.md).
   */
  slots?: string[];
  timezone?: string;
  budget?: MassSendBudget;
  /** A slot is gathered this long after its time (default 60 s), once the scheduler recorded its steps. */
  slotGraceMs?: number;
  /** Deliveries claimed per round (default 5,000). */
  batchSize?: number;
  /** external_userid per add_msg_template (10,000). */
  maxPerTask?: number;
  /** Between get_groupmsg_send_result polls of one task (default 10 min). */
  pollIntervalMs?: number;
  /** Unconfirmed customers fail as 'unconfirmed' after this long (default 7 days). */
  expireAfterMs?: number;
  /** First reminder this long after creation (default 2 h), then every `remindEveryMs` (default 4 h), ≤ policy. */
  remindAfterMs?: number;
  remindEveryMs?: number;
  remindPolicy?: RemindPolicy;
  /** Transient add_msg_template failures: tries and backoff (default 5, 1 min doubling). */
  retry?: { maxAttempts?: number; baseMs?: number; maxMs?: number };
  /** Lease of a claim while WeCom is called (default 5 min). */
  leaseMs?: number;
  intervalMs?: number;
  log?: (message: string) => void;
  /** Renders each task's body with tracked links naming the task (src/tracking); absent: links go out as written. */
  renderMessage?: RenderMessage;
}

export interface MassSendRunStats {
  created: number;
  customers: number;
  /** deferred by the per-customer budget */
  deferred: number;
  /** due, waiting for their send slot */
  waiting: number;
  retried: number;
  failed: number;
  polled: number;
  sent: number;
  notDelivered: number;
  reminded: number;
}

export interface MassSendWorker {
  /** Creates due mass sends, polls results and sends allowed reminders at `now`. */
  runOnce(now?: Date): Promise<MassSendRunStats>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The 群发助手 worker: `delivery: "mass_send"` private_chat steps of WeCom customers are gathered into
 * the staff member's send slots and become add_msg_template tasks per (staff member, content, slot)
 * — one 'mass_send' task in the staff member's feed each — within each customer's budget; results
 * are polled and the sender is reminded within WeCom's limit. Chat tasks are never taken.
 */
export function createMassSendWorker(options: MassSendWorkerOptions): MassSendWorker {
  const { db, clock } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 10 * 60_000;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const retry = { maxAttempts: 5, baseMs: 60_000, ...options.retry };
  const apiFor = (ws: string) => forWorkspace(options.api, ws);

  function publish(tasks: TaskPayload[]): void {
    if (!options.pubsub) return;
    for (const t of tasks) options.pubsub.publish(taskTopic(t.workspaceId, t.staffId), t);
    for (const ws of new Set(tasks.map((t) => t.workspaceId))) options.pubsub.publish(boardTopic(ws), { workspaceId: ws });
  }

  async function create(now: Date, stats: MassSendRunStats): Promise<void> {
    const batchSize = options.batchSize ?? 5_000;
    for (;;) {
      const { groups, deferred, waiting, claimed } = await db.sql.transaction(async (tx) => {
        await recoverStaleCreates(tx, now);
        return claimMassSends(tx, {
          now, limit: batchSize, maxPerTask: options.maxPerTask ?? DEFAULT_WECOM_LIMITS.maxExternalUserIds, leaseMs,
          ...(options.slotGraceMs !== undefined ? { slotGraceMs: options.slotGraceMs } : {}),
          defaults: { ...(options.slots ? { slots: options.slots } : {}), ...(options.budget ? { budget: options.budget } : {}), ...(options.timezone ? { timezone: options.timezone } : {}) },
          workspaceIds: options.workspaceIds, accept: (ws) => apiFor(ws) !== undefined,
        });
      });
      stats.deferred += deferred;
      stats.waiting += waiting;
      for (const group of groups) {
        const outcome = await createMassSend((fn) => db.sql.transaction(fn), apiFor(group.workspaceId), group, {
          now,
          pollIntervalMs,
          remindAfterMs: options.remindAfterMs ?? 2 * 3_600_000,
          retry,
          renderMessage: options.renderMessage,
        });
        if (outcome.status === "created") {
          stats.created++;
          stats.customers += group.targets.length - outcome.failList.length;
          stats.notDelivered += outcome.failList.length;
          publish(outcome.tasks);
        } else if (outcome.status === "retry") stats.retried += group.targets.length;
        else {
          stats.failed += group.targets.length;
          options.log?.(`add_msg_template for ${group.sender} / ${group.content}: ${outcome.code}`);
        }
      }
      // Deferred and retried rows have a later next attempt, so they are not claimed again now;
      // a full batch of rows left untouched (no client for their workspace) ends the round too.
      if (claimed < batchSize || (groups.length === 0 && deferred === 0 && waiting === 0)) return;
    }
  }

  async function poll(now: Date, stats: MassSendRunStats): Promise<void> {
    const o = { now, pollIntervalMs, expireAfterMs: options.expireAfterMs ?? 7 * 86_400_000 };
    for (;;) {
      const open = await claimPolls(db.sql, now, leaseMs, 100, options.workspaceIds);
      for (const ms of open) {
        const api = apiFor(ms.workspace_id);
        if (!api) continue;
        try {
          const r = await pollMassSend((fn) => db.sql.transaction(fn), api, ms, o);
          stats.polled++;
          stats.sent += r.sent;
          stats.notDelivered += r.failed;
          publish(r.tasks);
        } catch (e) {
          // The lease makes the next poll wait `leaseMs`: a failing read backs off by itself.
          options.log?.(`get_groupmsg_send_result ${ms.msgid}: ${(e as Error).message}`);
        }
      }
      if (open.length < 100) return;
    }
  }

  async function runOnce(now: Date = clock()): Promise<MassSendRunStats> {
    const stats: MassSendRunStats = { created: 0, customers: 0, deferred: 0, waiting: 0, retried: 0, failed: 0, polled: 0, sent: 0, notDelivered: 0, reminded: 0 };
    await create(now, stats);
    await poll(now, stats);
    stats.reminded = await sendReminders(
      db.sql,
      apiFor,
      { now, everyMs: options.remindEveryMs ?? 4 * 3_600_000, policy: options.remindPolicy ?? {}, limit: 100, workspaceIds: options.workspaceIds },
      options.log,
    );
    return stats;
  }

  const polling = createPolling("mass-send worker", () => runOnce(), options.intervalMs ?? 5_000, options.log);

  return {
    runOnce,
    start: polling.start,
    stop: polling.stop,
  };
}
