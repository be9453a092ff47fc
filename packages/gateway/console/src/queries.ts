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
