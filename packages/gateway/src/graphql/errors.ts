// Errors callers can act on carry `extensions.code`; everything else is masked by yoga
// (see maskError below) so no SQL, stack or internal message leaks.
import { JourneyDefinitionError, JourneyInputError } from "@sopline/core";
import type { GraphQLError as GraphQLErrorType } from "graphql";
import { GraphQLError } from "./graphql-runtime.js";
import { createGraphQLError } from "graphql-yoga";
import { isConnectionLoss } from "../db/connection-loss.js";

export type ErrorCode = "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "BAD_USER_INPUT" | "LIMIT" | "RATE_LIMITED" | "CONFLICT" | "UNAVAILABLE";

export function gatewayError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLErrorType {
  return createGraphQLError(message, { extensions: { ...extensions, code } });
}

export const unauthenticated = (message = 'Authentication required: send "Authorization: Bearer <API key or staff token>"') => gatewayError("UNAUTHENTICATED", message);
export const forbidden = (message: string) => gatewayError("FORBIDDEN", message);
/** Used both for rows that do not exist and for rows of another workspace or staff member: the caller cannot tell them apart. */
export const notFound = (what: string, id: string) => gatewayError("NOT_FOUND", `${what} "${id}" not found`);
export const badInput = (message: string, issues?: Array<{ path: string; message: string }>) =>
  gatewayError("BAD_USER_INPUT", message, issues ? { issues } : {});
/** A size limit: names the field, the limit and what arrived. */
export const limitExceeded = (field: string, message: string, limit: number) => gatewayError("LIMIT", `${field}: ${message}`, { field, limit });
/** The database connection was lost mid-request; retrying is safe where the request is idempotent (ingestEvents keeps each event id once). */
export const UNAVAILABLE_MESSAGE = "the database connection was lost during this request, which may not have completed: send it again";
export const unavailable = () => gatewayError("UNAVAILABLE", UNAVAILABLE_MESSAGE, { retryable: true, http: { status: 503 } });

/**
 * Turns errors thrown by the engine and the core into coded GraphQL errors; returns null for
 * anything unexpected (which yoga then masks).
 */
export function translateError(err: unknown): GraphQLErrorType | null {
  if (err instanceof GraphQLError && typeof err.extensions?.code === "string") return err;
  // Pothos' own argument checks (a connection's `first: -5`, `after: "garbage"`) carry no code.
  if (isPothosValidationError(err)) return badInput(err.message);
  if (err instanceof JourneyDefinitionError) return badInput(err.message, err.issues);
  if (err instanceof JourneyInputError) return badInput(err.message);
  if (isConnectionLoss(err)) return unavailable();
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (code === "NOT_FOUND" || code === "BAD_USER_INPUT" || code === "FORBIDDEN" || code === "UNAUTHENTICATED") {
      return gatewayError(code, err.message);
    }
  }
  return null;
}

/**
 * yoga's `maskedErrors.maskError`: coded errors pass, known engine errors are translated,
 * anything else becomes "Unexpected error." (with the original only in development).
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  // Coded errors thrown by resolvers (located by graphql-js, same extensions) and yoga's own
  // protocol errors pass unchanged (and unlogged).
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (isOriginalGraphQLError(error) && !isPothosValidationError(original)) {
    const e = error as GraphQLErrorType;
    // graphql-js gives no code to a variable that does not coerce (a DateTime of 1e20, an enum typo).
    if (e.extensions?.code === undefined && e.path === undefined && e.message.startsWith('Variable "$')) {
      return new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, extensions: { ...e.extensions, code: "BAD_USER_INPUT" } });
    }
    return e;
  }
  const translated = translateError(original);
  if (translated) {
    if (error instanceof GraphQLError) {
      return new GraphQLError(translated.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: translated.extensions });
    }
    return translated;
  }
  return createGraphQLError(message, {
    ...(error instanceof GraphQLError ? { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path } : {}),
    extensions: { code: "INTERNAL_SERVER_ERROR", ...(isDev && original instanceof Error ? { originalError: { message: original.message, stack: original.stack } } : {}) },
  });
}

// By name: the ESM and CJS builds of @pothos/core each have their own class.
function isPothosValidationError(error: unknown): error is Error {
  return error instanceof Error && error.name === "PothosValidationError";
}

function isOriginalGraphQLError(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null ? true : isOriginalGraphQLError(error.originalError);
}
