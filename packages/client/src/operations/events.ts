/** Behaviour events in batches (the gateway dedupes by id). */
import { graphql, type ResultOf, type VariablesOf } from "../graphql.js";

/**
 * One batch of behaviour events, at most 1,000 (`client.ingestEvents()` batches for you).
 *
 * @example
 * await client.request(IngestEventsMutation, { events: [{ id: "e1", customer: "lead-1", name: "demo.attended", at: new Date().toISOString() }] });
 */
export const IngestEventsMutation = graphql(`
  mutation IngestEvents($events: [EventInput!]!) {
    ingestEvents(events: $events) { accepted duplicates rejected { index id code message } }
  }
`);

/** One event as the gateway's `EventInput` types it. */
export type EventInput = VariablesOf<typeof IngestEventsMutation>["events"][number];
/** The outcome of `client.ingestEvents()`: counts over every batch, rejected events by their index in your array. */
export type IngestResult = ResultOf<typeof IngestEventsMutation>["ingestEvents"];
