// Documents the typed client has no method for, typed by the gateway's schema through gql.tada.
import { graphql } from "@sopline/client";

export const StaffListQuery = graphql(`query ConsoleStaff { staff { id name team } }`);

export const StageCustomersQuery = graphql(`
  query ConsoleStageCustomers($journeyKey: String!, $stage: String!, $after: String) {
    customers(journeyKey: $journeyKey, stage: $stage, first: 50, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id externalId name tags lastEventAt staff { id name } } }
    }
  }
`);

export const HandoverMutation = graphql(`
  mutation ConsoleHandover($customerId: ID!, $toStaffId: ID!) { handoverCustomer(customerId: $customerId, toStaffId: $toStaffId) { movedTasks } }
`);

export const DoNotDisturbQuery = graphql(`query ConsoleDnd($customerId: ID!) { doNotDisturb(customerId: $customerId) { channel } }`);

export const JourneysQuery = graphql(`query ConsoleJourneys { journeys { key version name stages { id name kind steps } } }`);

export const JourneyQuery = graphql(`query ConsoleJourney($key: String!) { journey(key: $key) { key version name definition } }`);

export const ContentsQuery = graphql(`
  query ConsoleContents($after: String) {
    contents(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { ref title type topic awareness cta channel version expiresAt expired body } }
    }
  }
`);

export const PublishImpactQuery = graphql(`
  query ConsolePublishImpact($definition: JSON!) {
    journeyPublishImpact(definition: $definition) {
      version changed
      migration { customers byStage { stage customers } newSteps { stage stepId customers } skippedAsMigrated { stepId customers } }
    }
  }
`);

export const PublishMutation = graphql(`
  mutation ConsolePublish($definition: JSON!) {
    upsertJourney(definition: $definition, migrate: true) { created journey { version } migration { customers } }
  }
`);

export const JourneyDefinitionsQuery = graphql(`query ConsoleJourneyDefinitions { journeys { key name definition } }`);

export const BulkMoveMutation = graphql(`
  mutation ConsoleBulkMove($journeyKey: String!, $stage: String!, $toStage: String!, $dryRun: Boolean!, $expectedCount: Int) {
    bulkManageEnrollments(filter: { journeyKey: $journeyKey, stage: $stage }, action: MOVE, toStage: $toStage, dryRun: $dryRun, expectedCount: $expectedCount, reason: "console") {
      matched changed batches
    }
  }
`);

// The board with today's opportunity lists (the client's BoardFields has the counts only).
export const OpportunityFields = graphql(`
  fragment ConsoleOpportunity on Opportunity { id kind customerId customerName staffId intent signal content signals waitingSince waitingMinutes overdue }
`);

const ConsoleBoardFields = graphql(
  `
  fragment ConsoleBoardFields on Board {
    date
    timezone
    journeys { key version name customers stages { id name kind customers } }
    staff {
      staff { id externalId name team }
      chatOpportunityCount callOpportunityCount
      chatOpportunities { ...ConsoleOpportunity }
      callOpportunities { ...ConsoleOpportunity }
      escalated { ...ConsoleOpportunity }
      sopTasks { chat call overdueChat overdueCall }
    }
  }
`,
  [OpportunityFields],
);

export const ConsoleBoardQuery = graphql(`query ConsoleBoard { board { ...ConsoleBoardFields } }`, [ConsoleBoardFields]);

export const ConsoleBoardChanged = graphql(`subscription ConsoleBoardChanged { boardChanged { board { ...ConsoleBoardFields } } }`, [ConsoleBoardFields]);

/** Opens, reads (with dwell) and clicks of tracked content, to show under the past steps. */
export const EngagementQuery = graphql(`
  query ConsoleEngagement($id: ID!) { customer(id: $id) { id engagement(last: 200) { id name at deliveryKey content seconds link } } }
`);

/** The gateway's clock (the journeys preview starts from it, not from the browser's). */
export const ServerTimeQuery = graphql(`query ConsoleServerTime { serverTime }`);

const MetricFields = graphql(`
  fragment ConsoleMetricRow on MetricRow {
    period journeyKey stepId stage cohortWeek delivered opened read readSecondsAvg clicked replied24h replied72h converted deleted
  }
`);

export const MetricsQuery = graphql(
  `
  query ConsoleMetrics($from: String!, $to: String!, $journeyKey: String) {
    journeys: metrics(from: $from, to: $to, groupBy: [JOURNEY]) { ...ConsoleMetricRow }
    steps: metrics(from: $from, to: $to, groupBy: [JOURNEY, STAGE, STEP], filter: { journeyKey: $journeyKey }) { ...ConsoleMetricRow }
    cohorts: metrics(from: $from, to: $to, groupBy: [COHORT_WEEK], filter: { journeyKey: $journeyKey }) { ...ConsoleMetricRow }
    touchHistogram(journeyKey: $journeyKey) { touches orMore customers converted conversionRate }
    metricTargets { event period target periodStart periodEnd count progress }
  }
`,
  [MetricFields],
);

export const MetricsCsvQuery = graphql(`
  query ConsoleMetricsCsv($from: String!, $to: String!, $journeyKey: String) {
    metricsCsv(from: $from, to: $to, period: DAY, groupBy: [JOURNEY, STAGE, STEP], filter: { journeyKey: $journeyKey })
  }
`);

/** Each content piece's rates over a range (the content library's columns). */
export const ContentRatesQuery = graphql(`
  query ConsoleContentRates($from: String!, $to: String!) {
    metrics(from: $from, to: $to, groupBy: [CONTENT]) { content delivered openRate replyRate72h conversionRate }
  }
`);
