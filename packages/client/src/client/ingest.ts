/** Sends any number of events as gateway-sized batches and adds the results up. */
import type { EventInput, IngestResult } from "../operations/events.js";

/** Most events the gateway takes in one `ingestEvents` call. */
export const MAX_EVENTS_PER_BATCH = 1_000;

/** An event to ingest: the gateway's `EventInput`, with `at` also as a `Date` or epoch ms. */
export type IngestEvent = Omit<EventInput, "at"> & { readonly at: string | number | Date };

/**
 * Ingests `events` in batches of at most {@link MAX_EVENTS_PER_BATCH}, in order, one batch at a time
 * (a later batch never overtakes an earlier one). `rejected[].index` is the index in `events`.
 *
 * @example
 * await ingestInBatches(events, (batch) => client.request(IngestEventsMutation, { events: batch }).then((d) => d.ingestEvents));
 */
export async function ingestInBatches(
  events: readonly IngestEvent[],
  send: (batch: EventInput[]) => Promise<IngestResult>,
  batchSize = MAX_EVENTS_PER_BATCH,
): Promise<IngestResult> {
  let accepted = 0;
  let duplicates = 0;
  const rejected: IngestResult["rejected"][number][] = [];
  for (let start = 0; start < events.length; start += batchSize) {
    const batch = events.slice(start, start + batchSize).map((e) => ({ ...e, at: toDateTime(e.at) }));
    const result = await send(batch);
    accepted += result.accepted;
    duplicates += result.duplicates;
    for (const r of result.rejected) rejected.push({ ...r, index: r.index + start });
  }
  return { accepted, duplicates, rejected };
}

/**
 * A `DateTime` input: ISO-8601 strings pass through, dates and epoch ms become ISO-8601.
 *
 * @example
 * toDateTime(0); // "1970-01-01T00:00:00.000Z"
 */
export function toDateTime(value: string | number | Date): string {
  return typeof value === "string" ? value : new Date(value).toISOString();
}
