import { createPolling } from "../engine/polling.js";
import type { Clock } from "../clock.js";
import type { Database } from "../db/index.js";
import { type ClaimedDelivery, claimDeliveries } from "./claim.js";
import { classifyFailure } from "./errors.js";
import { settleWithLimit } from "./map-limit.js";
import { type DeliveryRecord, recordOutcomes } from "./record.js";
import type { AdapterRegistry } from "./registry.js";
import type { DeliveryOutcome, DeliveryRequest } from "./types.js";

/** Test hooks: throwing here simulates the worker dying at that point. */
export type DeliveryCrashPoint = "after-claim" | "after-deliver";

/** Retry policy for transient failures. */
export interface DeliveryRetryPolicy {
  /** Tries in all, the first included (default 5); then the delivery fails with the last error. */
  maxAttempts: number;
  /** First backoff (default 30 s); doubles per attempt. */
  baseMs: number;
  /** Longest backoff (default 1 h). */
  maxMs?: number;
}

export interface DeliveryWorkerOptions {
  db: Database;
  adapters: AdapterRegistry;
  clock: Clock;
  /** Only deliveries of these workspaces (default: all). */
  workspaceIds?: string[];
  /** Deliveries claimed per channel per round (default 100). */
  batchSize?: number;
  retry?: Partial<DeliveryRetryPolicy>;
  /** How long a claim is held before another worker may take it over (default 2 min). */
  leaseMs?: number;
  /** Adapter calls in flight at once (default 16). */
  concurrency?: number;
  /** Real-time polling interval for start() (default 1 s). */
  intervalMs?: number;
  log?: (message: string) => void;
  onPoint?: (point: DeliveryCrashPoint, channel: string) => void | Promise<void>;
  /**
   * Renders claimed deliveries before their adapter sees them (tracked links: src/tracking). A
   * failure here is a transient failure of the batch: retried with backoff.
   */
  render?: (requests: DeliveryRequest[]) => Promise<DeliveryRequest[]>;
  /** Metrics hook: the outcomes recorded for one channel (those another worker took over left out). */
  onRecorded?: (channel: string, records: readonly DeliveryRecord[]) => void;
}

export interface DeliveryRunStats {
  claimed: number;
  sent: number;
  pending: number;
  retried: number;
  failed: number;
}

export interface DeliveryWorker {
  /** Delivers everything due at `now` (default: the clock), round after round, until nothing is left. */
  runOnce(now?: Date): Promise<DeliveryRunStats>;
  start(): void;
  stop(): Promise<void>;
}

/** Backoff before attempt `attempts + 1`: base · 2^(attempts-1), capped. */
export function retryDelayMs(attempts: number, policy: Pick<DeliveryRetryPolicy, "baseMs" | "maxMs">): number {
  return Math.min(policy.maxMs ?? 3_600_000, policy.baseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * The delivery worker: claim due deliveries of every channel with an adapter (status 'sending' +
 * lease, committed), call the adapter with the idempotency key (at-least-once), then record the
 * outcome exactly once: sent / pending, retried with exponential backoff on transient errors,
 * failed with the provider's code on permanent ones or after the last attempt.
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { db, adapters, clock } = options;
  const batchSize = options.batchSize ?? 100;
  const leaseMs = options.leaseMs ?? 120_000;
  const retry: DeliveryRetryPolicy = { maxAttempts: 5, baseMs: 30_000, ...options.retry };
  const concurrency = options.concurrency ?? 16;

  function toRecord(claim: ClaimedDelivery, result: PromiseSettledResult<DeliveryOutcome>, now: Date): DeliveryRecord {
    const base = { key: claim.request.key, attempts: claim.attempts };
    if (result.status === "fulfilled") {
      const { status, providerId } = result.value;
      return { ...base, status, sentAt: status === "sent" ? now : null, providerId: providerId ?? null };
    }
    const f = classifyFailure(result.reason);
    if (f.permanent || claim.attempts >= retry.maxAttempts) {
      const reason = f.permanent ? f.message : `gave up after ${claim.attempts} attempts: ${f.message}`;
      return { ...base, status: "failed", providerError: f.code, reason };
    }
    return { ...base, status: "due", providerError: f.code, reason: f.message, nextAttemptAt: new Date(now.getTime() + retryDelayMs(claim.attempts, retry)) };
  }

  async function runChannel(channel: string, now: Date, stats: DeliveryRunStats): Promise<number> {
    const adapter = adapters.get(channel);
    if (!adapter) return 0;
    const claims = await claimDeliveries(db.sql, channel, now, new Date(now.getTime() + leaseMs), batchSize, options.workspaceIds);
    if (claims.length === 0) return 0;
    await options.onPoint?.("after-claim", channel);
    const ctx = { now };
    let requests = claims.map((c) => c.request);
    let results: Array<PromiseSettledResult<DeliveryOutcome>>;
    let renderFailure: unknown;
    if (options.render) {
      try {
        requests = await options.render(requests);
      } catch (reason) {
        renderFailure = reason;
      }
    }
    if (renderFailure !== undefined) {
      results = requests.map(() => ({ status: "rejected", reason: renderFailure }));
    } else if (adapter.deliverBatch) {
      try {
        results = await adapter.deliverBatch(requests, ctx);
        if (results.length !== requests.length) throw new Error(`${channel} adapter's deliverBatch returned ${results.length} results for ${requests.length} deliveries`);
      } catch (reason) {
        results = requests.map(() => ({ status: "rejected", reason }));
      }
    } else {
      results = await settleWithLimit(requests, concurrency, (r) => adapter.deliver(r, ctx));
    }
    await options.onPoint?.("after-deliver", channel);
    const records = claims.map((c, i) => toRecord(c, results[i]!, now));
    const recorded = new Set(await recordOutcomes(db.sql, records));
    for (const r of records) {
      if (!recorded.has(r.key)) continue; // another worker took it over: its outcome counts
      if (r.status === "sent") stats.sent++;
      else if (r.status === "pending") stats.pending++;
      else if (r.status === "failed") stats.failed++;
      else stats.retried++;
    }
    options.onRecorded?.(channel, records.filter((r) => recorded.has(r.key)));
    stats.claimed += claims.length;
    return claims.length;
  }

  async function runOnce(now: Date = clock()): Promise<DeliveryRunStats> {
    const stats: DeliveryRunStats = { claimed: 0, sent: 0, pending: 0, retried: 0, failed: 0 };
    for (const channel of adapters.channels()) {
      // Retries are scheduled after `now`, so this loop ends.
      while ((await runChannel(channel, now, stats)) === batchSize);
    }
    return stats;
  }

  const polling = createPolling("delivery worker", () => runOnce(), options.intervalMs ?? 1_000, options.log);

  return {
    runOnce,
    start: polling.start,
    stop: polling.stop,
  };
}
