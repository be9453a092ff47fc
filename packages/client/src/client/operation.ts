/**
 * Turns a gql.tada document into what goes on the wire. Printing is cached per document object:
 * the client's own documents are module constants, so each is printed once per process.
 */
import { print } from "@0no-co/graphql.web";
import type { TadaDocumentNode } from "gql.tada";
import type { GraphQLOperation, RequestOptions } from "../transport/types.js";

/** Any gql.tada document (a `DocumentNode` carrying its result and variables types). */
export type AnyDocument = TadaDocumentNode<unknown, any>;

/**
 * The rest parameters after a document: `variables` is optional exactly when the document has no
 * required variables (so `request(Viewer)` type-checks and `request(Customer)` does not).
 */
export type VariablesArgs<TVariables> = {} extends TVariables
  ? [variables?: TVariables, options?: RequestOptions]
  : [variables: TVariables, options?: RequestOptions];

const printed = new WeakMap<object, { query: string; operationName: string | undefined }>();

/**
 * The GraphQL-over-HTTP parameters for `document` with `variables`.
 *
 * @example
 * transport.request(toOperation(BoardQuery, { journeyKey: "b2b-nurture" }));
 */
export function toOperation(document: AnyDocument, variables?: unknown): GraphQLOperation {
  let cached = printed.get(document);
  if (!cached) {
    const operation = document.definitions.find((d) => d.kind === "OperationDefinition");
    if (!operation) {
      throw new TypeError(`Expected a document with an operation (query, mutation or subscription), got only ${document.definitions.map((d) => d.kind).join(", ") || "nothing"}`);
    }
    cached = { query: print(document), operationName: "name" in operation ? operation.name?.value : undefined };
    printed.set(document, cached);
  }
  return {
    query: cached.query,
    ...(variables === undefined ? {} : { variables: variables as Record<string, unknown> }),
    ...(cached.operationName === undefined ? {} : { operationName: cached.operationName }),
  };
}
