/**
 * Records tracked-link events through the gateway's event ingest (so tag rules and transitions
 * react) with group commit: events arriving while a batch is being written wait and go together in
 * the next one, one ingest transaction per workspace per batch. Each caller's promise settles when
 * its event is committed. Under load the batches grow by themselves; idle, an event is written at once.
 */
import type { Database } from "../db/index.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import { emptyNotices } from "../engine/persist-advances.js";
import type { EventInput, IngestResult } from "../events/event-input.js";
import { ingestEvents } from "../events/ingest.js";
import type { LivePubSub } from "../live/pubsub.js";
import { publishNotices } from "../live/publish-notices.js";

export interface EventRecorder {
  /** Resolves once the event is stored (or known as a duplicate id); rejects if its batch failed. */
  record(workspaceId: string, event: EventInput): Promise<void>;
  /** Queues the event without waiting for it (no promise): `onError` hears if its batch failed. */
  enqueue(workspaceId: string, event: EventInput, onError: (err: unknown) => void): void;
  /** Resolves when nothing is queued or being written. */
  idle(): Promise<void>;
  /** Events queued and not yet written. */
  backlog(): number;
  /** Ingest batches written and the events in them, since the start (for metrics and benchmarks). */
  written(): { batches: number; events: number };
}

interface Pending {
  event: EventInput;
  resolve: (() => void) | undefined;
  reject: (err: unknown) => void;
}

export interface EventRecorderOptions {
  db: Database;
  registry: JourneyRegistry;
  pubsub?: LivePubSub;
  clock: () => Date;
  /** Most events in one ingest call (default 1,000, the ingest's batch limit). */
  maxBatch?: number;
  /** Called with each batch's result (metrics, logs of rejected events). */
  onIngested?: (workspaceId: string, result: IngestResult) => void;
}

export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  const maxBatch = options.maxBatch ?? 1_000;
  const queues = new Map<string, Pending[]>();
  // One batch in flight per workspace: the next one gathers meanwhile (and two batches of one
  // customer never lock their enrollments against each other).
  const writing = new Map<string, Promise<void>>();
  let waiters: Array<() => void> = [];
  let queued = 0;
  let batches = 0;
  let events = 0;

  const settleIdle = () => {
    if (queues.size > 0 || writing.size > 0) return;
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve();
  };

  function schedule(workspaceId: string): void {
    if (writing.has(workspaceId)) return;
    const run = (async () => {
      // Let the events of this turn of the event loop join the batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const queue = queues.get(workspaceId) ?? [];
      const batch = queue.splice(0, maxBatch);
      queued -= batch.length;
      if (queue.length === 0) queues.delete(workspaceId);
      if (batch.length === 0) return;
      try {
        const notices = emptyNotices();
        const result = await ingestEvents(options.db, options.registry, workspaceId, batch.map((p) => p.event), options.clock(), notices);
        if (options.pubsub) publishNotices(options.pubsub, notices);
        batches++;
        events += batch.length;
        options.onIngested?.(workspaceId, result);
        for (const p of batch) p.resolve?.();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    })();
    writing.set(workspaceId, run);
    void run.finally(() => {
      writing.delete(workspaceId);
      if (queues.has(workspaceId)) schedule(workspaceId);
      else settleIdle();
    });
  }

  const add = (workspaceId: string, pending: Pending) => {
    let queue = queues.get(workspaceId);
    if (!queue) queues.set(workspaceId, (queue = []));
    queue.push(pending);
    queued++;
    schedule(workspaceId);
  };

  return {
    record(workspaceId, event) {
      return new Promise<void>((resolve, reject) => add(workspaceId, { event, resolve, reject }));
    },
    enqueue(workspaceId, event, onError) {
      add(workspaceId, { event, resolve: undefined, reject: onError });
    },
    backlog: () => queued,
    written: () => ({ batches, events }),
    idle() {
      if (queues.size === 0 && writing.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}
