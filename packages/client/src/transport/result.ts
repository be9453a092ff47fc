import { GraphQLResponseError } from "./errors.js";
import type { GraphQLResult } from "./types.js";

/**
 * The data of a GraphQL result, or a thrown {@link GraphQLResponseError} when the result carries
 * errors (partial data is kept on the error's `data`) or no data at all.
 *
 * @example
 * const { hello } = unwrap(await transport.request<{ hello: string }>({ query: "{ hello }" }));
 */
export function unwrap<TData>(result: GraphQLResult<TData>): TData {
  if (result.errors && result.errors.length > 0) {
    throw new GraphQLResponseError({ errors: result.errors, data: result.data, ...statusOf(result) });
  }
  if (result.data === undefined || result.data === null) {
    throw new GraphQLResponseError({
      errors: [{ message: "Expected `data` in the GraphQL response, got neither data nor errors" }],
      ...statusOf(result),
    });
  }
  return result.data;
}

function statusOf(result: GraphQLResult<unknown>): { status?: number } {
  return result.status === undefined ? {} : { status: result.status };
}
