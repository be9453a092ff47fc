/** The ingest reporter with mini-program defaults: `wx` storage (survives restarts) and network-change flushes. */
import type { SoplineClient } from "./client/sopline-client.js";
import { createIngestReporter, type IngestReporterOptions, type ReportedEvent } from "./ingest-reporter.js";
import type { EventReporter } from "./offline-queue.js";
import { wxStorage } from "./storage.js";
import { wxOnlineSignal } from "./transport/wx-network.js";
import type { WxNetworkApi, WxStorageApi } from "./transport/wx-types.js";

/** Options of {@link createWxIngestReporter}; `storage` and `onlineSignal` default to `wx`'s. */
export interface WxIngestReporterOptions extends Partial<IngestReporterOptions> {
  /** Default: the global `wx`. */
  wx?: WxStorageApi & WxNetworkApi;
}

/**
 * Creates an ingest reporter for a mini-program.
 *
 * @example
 * const reporter = createWxIngestReporter(client, { wx });
 * reporter.report({ customer: customerId, name: "task.viewed", data: { taskId } });
 */
export function createWxIngestReporter(client: Pick<SoplineClient, "ingestEvents">, options: WxIngestReporterOptions = {}): EventReporter<ReportedEvent> {
  const { wx, ...rest } = options;
  return createIngestReporter(client, {
    ...rest,
    storage: rest.storage ?? wxStorage(wx),
    onlineSignal: rest.onlineSignal ?? wxOnlineSignal(wx),
  });
}
