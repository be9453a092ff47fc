/** Managing live SOPs from a staff member's app: removing a customer from a journey, do-not-disturb. */
import { graphql, type ResultOf, type VariablesOf } from "../graphql.js";

/**
 * Removes a customer from a journey: unsent steps skipped (`removed`), open tasks skipped, audited
 * with the reason. A staff token removes only its own customers' runs.
 *
 * @example
 * await client.request(RemoveFromJourneyMutation, { customerId, journeyKey: "b2b-nurture", reason: "asked to stop" });
 */
export const RemoveFromJourneyMutation = graphql(`
  mutation RemoveFromJourney($customerId: ID!, $journeyKey: String!, $reason: String) {
    removeFromJourney(customerId: $customerId, journeyKey: $journeyKey, reason: $reason) { customerId journeyKey enrollments cancelledSteps cancelledTasks }
  }
`);

/**
 * Turns a customer's do-not-disturb on or off for a channel (omitted: every channel): journey steps
 * on it are skipped as `opted-out` in all journeys while it is on.
 *
 * @example
 * await client.request(SetDoNotDisturbMutation, { customerId, channel: "PRIVATE_CHAT", on: true, reason: "asked on the phone" });
 */
export const SetDoNotDisturbMutation = graphql(`
  mutation SetDoNotDisturb($customerId: ID!, $channel: Channel, $on: Boolean!, $reason: String) {
    setDoNotDisturb(customerId: $customerId, channel: $channel, on: $on, reason: $reason) { customerId channel on changed skippedSteps }
  }
`);

/** What `client.removeFromJourney()` returns. */
export type RemovedFromJourney = ResultOf<typeof RemoveFromJourneyMutation>["removeFromJourney"];
/** Arguments of `client.setDoNotDisturb()`. */
export type DoNotDisturbArgs = VariablesOf<typeof SetDoNotDisturbMutation>;
/** What `client.setDoNotDisturb()` returns. */
export type DoNotDisturbResult = ResultOf<typeof SetDoNotDisturbMutation>["setDoNotDisturb"];
