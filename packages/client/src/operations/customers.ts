/** A customer's journeys with past and upcoming steps; moving and enrolling customers. */
import { graphql, type ResultOf, type VariablesOf } from "../graphql.js";

/**
 * An enrollment's fields (a customer's run through one journey).
 *
 * @example
 * graphql(`query($id: ID!) { customer(id: $id) { journeys { ...EnrollmentFields } } }`, [EnrollmentFields]);
 */
export const EnrollmentFields = graphql(`
  fragment EnrollmentFields on Enrollment {
    id journeyKey journeyVersion stage stageName visit enteredAt tags nextWakeAt endedAt
    staff { id externalId name }
  }
`);

/**
 * A customer with journeys, past and upcoming steps (`client.customer()`).
 *
 * @example
 * await client.request(CustomerQuery, { id, upcomingDays: 30 });
 */
export const CustomerQuery = graphql(
  `
  query Customer($id: ID!, $pastSteps: Int = 100, $upcomingDays: Int = 90, $upcomingLimit: Int = 50) {
    customer(id: $id) {
      id externalId name timezone birthday attributes wecomExternalUserId oaOpenId unionId
      lastEventAt createdAt tags
      staff { id externalId name }
      journeys {
        ...EnrollmentFields
        pastSteps(last: $pastSteps) { id key stage stepId dueAt channel content mode status reason sentAt }
        upcomingSteps(days: $upcomingDays, limit: $upcomingLimit) { key stage stepId occurrence dueAt channel content mode }
      }
    }
  }
`,
  [EnrollmentFields],
);

/**
 * Moves a customer to another stage (`client.moveCustomer()`).
 *
 * @example
 * await client.request(MoveCustomerMutation, { customerId, journeyKey: "b2b-nurture", to: "interested" });
 */
export const MoveCustomerMutation = graphql(
  `
  mutation MoveCustomer($customerId: ID!, $journeyKey: String!, $to: String!) {
    moveCustomer(customerId: $customerId, journeyKey: $journeyKey, to: $to) { ...EnrollmentFields }
  }
`,
  [EnrollmentFields],
);

/**
 * Enrolls a customer in a journey (`client.enroll()`).
 *
 * @example
 * await client.request(EnrollMutation, { customerExternalId: "lead-1", journeyKey: "b2b-nurture" });
 */
export const EnrollMutation = graphql(`
  mutation Enroll($customerExternalId: String!, $journeyKey: String!, $staffId: ID, $profile: EnrollProfileInput) {
    enroll(customerExternalId: $customerExternalId, journeyKey: $journeyKey, staffId: $staffId, profile: $profile) {
      customerId enrollmentId created
    }
  }
`);

/**
 * A customer's journey effects as they happen (`client.customerTimeline()`).
 *
 * @example
 * client.subscribe(CustomerTimelineSubscription, { customerId }, { next: (d) => log(d.customerTimeline.effects) });
 */
export const CustomerTimelineSubscription = graphql(`
  subscription CustomerTimeline($customerId: ID!) {
    customerTimeline(customerId: $customerId) {
      customerId
      effects { type journey at stage stepId key channel content mode reason from to tag }
    }
  }
`);

/** A customer as the gateway returns them (`client.customer()` adds `timeline`). */
export type CustomerRecord = ResultOf<typeof CustomerQuery>["customer"];
/** One of a customer's journeys (an enrollment) with its past and upcoming steps. */
export type CustomerJourney = CustomerRecord["journeys"][number];
/** A step already due (sent, a task, skipped…). */
export type PastStep = CustomerJourney["pastSteps"][number];
/** A step ahead if the customer does nothing. */
export type UpcomingStep = CustomerJourney["upcomingSteps"][number];
/** An enrollment as `client.moveCustomer()` returns it. */
export type Enrollment = ResultOf<typeof MoveCustomerMutation>["moveCustomer"];
/** Arguments of `client.enroll()`. */
export type EnrollArgs = VariablesOf<typeof EnrollMutation>;
/** What `client.customerTimeline()` delivers. */
export type TimelineUpdate = ResultOf<typeof CustomerTimelineSubscription>["customerTimeline"];
