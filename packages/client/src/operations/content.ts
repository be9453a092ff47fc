/** The content library and what a channel server asks for: content due for a customer, then its acknowledgement. */
import { graphql, type ResultOf, type VariablesOf } from "../graphql.js";

/**
 * A content library entry's fields.
 *
 * @example
 * graphql(`query { content(ref: "greeting") { ...ContentFields } }`, [ContentFields]);
 */
export const ContentFields = graphql(`
  fragment ContentFields on Content {
    id ref title body type topic awareness cta channel version expiresAt expired updatedAt
  }
`);

/**
 * Deliveries due for a customer on a channel (`client.contentDue()`).
 *
 * @example
 * await client.request(ContentDueQuery, { customer: openid, idKind: "OPENID", channel: "OFFICIAL_ACCOUNT" });
 */
export const ContentDueQuery = graphql(
  `
  query ContentDue($customer: String!, $idKind: CustomerIdKind, $channel: Channel!, $limit: Int = 10) {
    contentDue(customer: $customer, idKind: $idKind, channel: $channel, limit: $limit) {
      id key journeyKey stage stepId dueAt channel content mode status reason sentAt
      contentEntry { ...ContentFields }
    }
  }
`,
  [ContentFields],
);

/**
 * Reports due deliveries as sent or failed (`client.acknowledgeDeliveries()`).
 *
 * @example
 * await client.request(AcknowledgeDeliveriesMutation, { ids, status: "SENT" });
 */
export const AcknowledgeDeliveriesMutation = graphql(`
  mutation AcknowledgeDeliveries($ids: [ID!]!, $status: DeliveryReport!, $error: String) {
    acknowledgeDeliveries(ids: $ids, status: $status, error: $error)
  }
`);

/**
 * Creates or updates a content entry by ref (`client.upsertContent()`).
 *
 * @example
 * await client.request(UpsertContentMutation, { input: { ref: "greeting", title: "Hello", type: "greeting", body: { text: "您好" } } });
 */
export const UpsertContentMutation = graphql(
  `
  mutation UpsertContent($input: ContentInput!) {
    upsertContent(input: $input) { ...ContentFields }
  }
`,
  [ContentFields],
);

/** A content library entry. */
export type Content = ResultOf<typeof ContentFields>;
/** A delivery due on a channel, with its content entry (`client.contentDue()`). */
export type DueDelivery = ResultOf<typeof ContentDueQuery>["contentDue"][number];
/** Arguments of `client.contentDue()`. */
export type ContentDueArgs = VariablesOf<typeof ContentDueQuery>;
/** What `client.upsertContent()` takes. */
export type ContentInput = VariablesOf<typeof UpsertContentMutation>["input"];
/** `SENT` or `FAILED`. */
export type DeliveryReport = VariablesOf<typeof AcknowledgeDeliveriesMutation>["status"];
