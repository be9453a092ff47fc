/**
 * Offline-tolerant event reporting: events are persisted before anything is sent, sent in order
 * in batches, and removed only after the gateway accepted their batch. A failed send keeps the
 * queue as it was and is retried on the next report / flush / online signal (or `retryWait`).
 *
 * Delivery is at-least-once: if the app dies after the gateway accepted a batch but before the
 * queue was saved, that batch is sent again. Every event carries an `id` so the gateway dedupes.
 * Order is never changed and nothing is ever dropped, so an event the gateway rejects for good
 * blocks the ones behind it until `send` deals with it (see `onError`).
 *
 * One reporter per storage key at a time: the queue is mirrored in memory.
 */
import type { SyncStorage } from "./storage.js";
import { SoplineClientError } from "./transport/errors.js";
import type { OnlineSignal } from "./transport/wx-network.js";

/** An event as queued and sent: the caller's fields plus `id` and `occurredAt`. */
export type QueuedEvent<E extends object> = Omit<E, "id" | "occurredAt"> & {
  /** Idempotency key the gateway dedupes by. */
  readonly id: string;
  /** ISO 8601 time of `report()` (events sent late still say when they happened). */
  readonly occurredAt: string;
};

/** Options for {@link createEventReporter}. */
export interface EventReporterOptions<E extends object> {
  /** Delivers one batch; resolve only once the gateway accepted it. Rejections keep the batch queued. */
  send(batch: readonly QueuedEvent<E>[]): Promise<unknown>;
  /** Where the queue lives across restarts (`wxStorage(wx)`, `memoryStorage()`). */
  storage: SyncStorage;
  /** Default `"sopline.eventQueue.v1"`. */
  storageKey?: string;
  /** Events per batch (default 50). */
  batchSize?: number;
  /** Clock for `occurredAt` and default ids (default `Date.now`). */
  now?: () => number;
  /** Id for events reported without one (default `crypto.randomUUID`, else time + counter + random). */
  idFactory?: () => string;
  /** Flush whenever this fires (e.g. `wxOnlineSignal(wx)`). */
  onlineSignal?: OnlineSignal;
  /** When set, a failed flush retries by itself after `retryWait(attempt)`. */
  retryWait?: (attempt: number) => Promise<void>;
  /** Flush after every `report()` (default true). */
  autoFlush?: boolean;
  /** Told about every failed send (the batch stays queued). */
  onError?: (error: unknown, batch: readonly QueuedEvent<E>[]) => void;
}

/** Outcome of one {@link EventReporter.flush}. */
export interface FlushResult {
  /** Events accepted by the gateway during this flush. */
  readonly sent: number;
  /** Events still queued afterwards. */
  readonly pending: number;
  /** Why the flush stopped early, if it did. */
  readonly error?: unknown;
}

/** Reports events; see {@link createEventReporter}. */
export interface EventReporter<E extends object> {
  /** Queues and persists `event` (throws if storage refuses it), then flushes in the background. */
  report(event: E & { id?: string; occurredAt?: string }): QueuedEvent<E>;
  /** Sends queued events until the queue is empty or a send fails. Concurrent calls share one flush. */
  flush(): Promise<FlushResult>;
  /** The queued events, oldest first. */
  pending(): readonly QueuedEvent<E>[];
  /** Stops listening for online signals and retries; queued events stay in storage. */
  dispose(): void;
}

interface StoredQueue<E extends object> {
  v: 1;
  events: QueuedEvent<E>[];
}

/**
 * Creates an event reporter over persistent storage.
 *
 * @example
 * const reporter = createEventReporter({
 *   send: (events) => http.request({ query: REPORT_EVENTS, variables: { events } }).then(unwrap),
 *   storage: wxStorage(wx),
 *   onlineSignal: wxOnlineSignal(wx),
 * });
 * reporter.report({ type: "task.viewed", taskId });
 */
export function createEventReporter<E extends object>(options: EventReporterOptions<E>): EventReporter<E> {
  const key = options.storageKey ?? "sopline.eventQueue.v1";
  const batchSize = Math.max(1, options.batchSize ?? 50);
  const now = options.now ?? Date.now;
  const idFactory = options.idFactory ?? defaultIdFactory(now);
  const queue: QueuedEvent<E>[] = load(options.storage, key);
  let active: Promise<FlushResult> | undefined;
  let disposed = false;
  let retryScheduled = false;
  let failures = 0;

  function persist(): void {
    const stored: StoredQueue<E> = { v: 1, events: queue };
    // A JSON string, not an object: the same bytes whatever the storage does with objects.
    options.storage.set(key, JSON.stringify(stored));
  }

  function report(event: E & { id?: string; occurredAt?: string }): QueuedEvent<E> {
    if (disposed) throw new SoplineClientError("Expected a live event reporter, but report() was called after dispose()");
    const queued = {
      ...event,
      id: event.id ?? idFactory(),
      occurredAt: event.occurredAt ?? new Date(now()).toISOString(),
    } as unknown as QueuedEvent<E>;
    queue.push(queued);
    try {
      persist();
    } catch (cause) {
      queue.pop(); // not persisted means not accepted: the caller learns it now
      throw new SoplineClientError(`Could not persist event ${queued.id} to storage key "${key}": ${String(cause)}`, { cause });
    }
    if (options.autoFlush ?? true) void flush();
    return queued;
  }

  function flush(): Promise<FlushResult> {
    active ??= drain();
    return active;
  }

  async function drain(): Promise<FlushResult> {
    await undefined; // `active` must be assigned before the loop below can clear it
    let sent = 0;
    for (;;) {
      // Clearing `active` in the same synchronous step as the emptiness check means a report()
      // arriving afterwards always starts a fresh drain (no lost wake-up).
      if (disposed || queue.length === 0) {
        active = undefined;
        return { sent, pending: queue.length };
      }
      const batch = queue.slice(0, batchSize);
      try {
        await options.send(batch);
      } catch (error) {
        active = undefined;
        options.onError?.(error, batch);
        scheduleRetry();
        return { sent, pending: queue.length, error };
      }
      // Only drain() removes events and only one drain runs, so the head is still this batch.
      queue.splice(0, batch.length);
      persist();
      sent += batch.length;
      failures = 0;
    }
  }

  function scheduleRetry(): void {
    if (!options.retryWait || retryScheduled || disposed) return;
    retryScheduled = true;
    void options.retryWait(failures++).then(() => {
      retryScheduled = false;
      if (!disposed) void flush();
    });
  }

  const stopOnline = options.onlineSignal?.(() => {
    if (!disposed) void flush();
  });

  return {
    report,
    flush,
    pending: () => [...queue],
    dispose: () => {
      disposed = true;
      stopOnline?.();
    },
  };
}

function load<E extends object>(storage: SyncStorage, key: string): QueuedEvent<E>[] {
  const raw = storage.get(key);
  if (raw === undefined || raw === null || raw === "") return []; // wx returns "" for a missing key
  let parsed: unknown = raw;
  if (typeof raw === "string") {
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = raw;
    }
  }
  const stored = parsed as Partial<StoredQueue<E>> | null;
  if (typeof stored !== "object" || stored === null || stored.v !== 1 || !Array.isArray(stored.events)) {
    // Refuse rather than start empty: starting empty would silently drop whatever was queued.
    const shown = typeof raw === "string" ? raw.slice(0, 80) : typeof raw;
    throw new SoplineClientError(`Expected the event queue at storage key "${key}" to be {"v":1,"events":[…]}, got ${JSON.stringify(shown)}`);
  }
  return [...stored.events];
}

function defaultIdFactory(now: () => number): () => string {
  let counter = 0;
  return () => {
    const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
    if (typeof crypto?.randomUUID === "function") return crypto.randomUUID();
    // Mini-programs have no crypto.randomUUID: time + per-process counter + randomness.
    const random = () => Math.random().toString(36).slice(2, 10).padEnd(8, "0");
    return `${now().toString(36)}-${(counter++).toString(36)}-${random()}${random()}`;
  };
}
