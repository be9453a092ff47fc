/**
 * Offline-tolerant event reporting wired to `ingestEvents`: the offline queue (persisted, ordered,
 * batched, each event with its id) sends through the typed client; the gateway dedupes by id, so
 * a batch resent after a crash or a lost response counts once.
 */
import type { SoplineClient } from "./client/sopline-client.js";
import { createEventReporter, type EventReporter, type EventReporterOptions, type QueuedEvent } from "./offline-queue.js";
import type { EventInput, IngestResult } from "./operations/events.js";

/** An event to report: the gateway's `EventInput` without `id` and `at` (the reporter stamps them unless you pass `id` / `occurredAt`). */
export type ReportedEvent = Omit<EventInput, "id" | "at">;

/** Options of {@link createIngestReporter}: the offline queue's, minus `send`. */
export interface IngestReporterOptions extends Omit<EventReporterOptions<ReportedEvent>, "send" | "batchSize"> {
  /** Events per `ingestEvents` call (default 100, at most 1,000). */
  batchSize?: number;
  /**
   * Events the gateway refused for good (`BAD_EVENT`, `UNKNOWN_CUSTOMER`, `FUTURE_EVENT`, …):
   * they leave the queue (retrying cannot help) and are reported here.
   */
  onRejected?(rejected: IngestResult["rejected"], batch: readonly QueuedEvent<ReportedEvent>[]): void;
}

/**
 * Creates the reporter. `report()` persists first and sends in the background; events reported
 * while offline are sent once, in order, when a flush succeeds (next report, `flush()`, the
 * online signal or `retryWait`).
 *
 * @example
 * const reporter = createIngestReporter(client, { storage: memoryStorage() });
 * reporter.report({ customer: openid, customerIdKind: "OPENID", name: "message.received", data: { text } });
 */
export function createIngestReporter(client: Pick<SoplineClient, "ingestEvents">, options: IngestReporterOptions): EventReporter<ReportedEvent> {
  const { onRejected, batchSize = 100, ...rest } = options;
  return createEventReporter<ReportedEvent>({
    ...rest,
    batchSize: Math.min(batchSize, 1_000),
    send: async (batch) => {
      // `occurredAt` is when report() was called: the event's time, however late it is sent.
      const result = await client.ingestEvents(batch.map(({ occurredAt, ...event }) => ({ ...event, at: occurredAt })));
      if (result.rejected.length > 0) onRejected?.(result.rejected, batch);
      return result;
    },
  });
}
