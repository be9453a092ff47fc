/**
 * The `graphql` tag typed by the gateway's schema (gql.tada). Every document written with it is
 * checked against the schema by `tsc`, and its result and variables types are inferred: a schema
 * change that breaks an operation breaks the build.
 *
 * @example
 * import { graphql, type ResultOf } from "@sopline/client";
 * const Viewer = graphql(`query Viewer { viewer { kind staff { id name } } }`);
 * type Viewer = ResultOf<typeof Viewer>; // { viewer: { kind: "API_KEY" | "STAFF"; staff: … | null } }
 * const { viewer } = await client.request(Viewer);
 */
import { initGraphQLTada } from "gql.tada";
import type { introspection } from "./generated/introspection.js";

export type { FragmentOf, ResultOf, TadaDocumentNode, VariablesOf } from "gql.tada";
export { readFragment } from "gql.tada";

/**
 * gql.tada's `graphql()` for the sopline gateway. `DateTime` is an ISO-8601 string (inputs also
 * take what `toDateTime` converts); `JSON` is `unknown` so callers narrow what they read.
 * Fragment masking is off: the client hands out plain data.
 */
export const graphql = initGraphQLTada<{
  introspection: typeof introspection;
  scalars: { DateTime: string; JSON: unknown };
  disableMasking: true;
}>();
