/** Journey definitions (the core's JSON), stored as versions. */
import { graphql, type ResultOf } from "../graphql.js";

/**
 * Stores a journey definition as a new version when it changed (`client.upsertJourney()`).
 *
 * @example
 * await client.request(UpsertJourneyMutation, { definition: b2bNurture });
 */
export const UpsertJourneyMutation = graphql(`
  mutation UpsertJourney($definition: JSON!) {
    upsertJourney(definition: $definition) {
      created
      journey { id key version name timezone entry active createdAt stages { id name kind steps } }
      warnings { level code path message }
    }
  }
`);

/** What `client.upsertJourney()` returns: the stored version, whether it is new, and lint warnings. */
export type UpsertJourneyResult = ResultOf<typeof UpsertJourneyMutation>["upsertJourney"];
