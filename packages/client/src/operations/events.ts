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

/**
 * A staff member's "customer replied" tap (`client.reportCustomerReplied()`): `message.replied` with
 * source `staff_tap`. Pass your own `id` so a retry after a lost answer counts once.
 *
 * @example
 * await client.request(ReportCustomerRepliedMutation, { customerId, id: crypto.randomUUID() });
 */
export const ReportCustomerRepliedMutation = graphql(`
  mutation ReportCustomerReplied($customerId: ID!, $at: DateTime, $id: String) {
    reportCustomerReplied(customerId: $customerId, at: $at, id: $id) { eventId customerId recorded duplicate }
  }
`);

/** What `reportCustomerReplied` answers. */
export type ReplyRecorded = ResultOf<typeof ReportCustomerRepliedMutation>["reportCustomerReplied"];
