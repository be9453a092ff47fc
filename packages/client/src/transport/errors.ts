/**
 * The client's error hierarchy: one base class, three named kinds. Callers branch with
 * `instanceof` (or `err.code` on {@link GraphQLResponseError}), never by parsing messages.
 */

/**
 * Codes the gateway puts in `errors[].extensions.code`. Open union: codes added later by the
 * gateway (or by graphql-yoga itself, e.g. `GRAPHQL_VALIDATION_FAILED`) still type-check as strings.
 */
export type SoplineErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "RATE_LIMITED"
  | "INTERNAL"
  | "GRAPHQL_PARSE_FAILED"
  | "GRAPHQL_VALIDATION_FAILED"
  /** The gateway sent an error without `extensions.code` and the HTTP status said nothing more. */
  | "UNKNOWN"
  | (string & {});

/** One entry of a GraphQL response's `errors` array, as the gateway serialises it. */
export interface GraphQLErrorPayload {
  readonly message: string;
  readonly locations?: readonly { readonly line: number; readonly column: number }[];
  readonly path?: readonly (string | number)[];
  readonly extensions?: { readonly code?: SoplineErrorCode; readonly [key: string]: unknown };
}

/** One problem with an input, as the gateway lists them under `extensions.issues` (BAD_USER_INPUT). */
export interface InputIssue {
  /** Where in the input, e.g. `stages[1].sop[0].after`. */
  readonly path: string;
  readonly message: string;
}

/** Base class of every error this package throws or hands to a sink. */
export class SoplineClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Explicit names survive minification (mini-program builds mangle class names).
    this.name = "SoplineClientError";
  }
}

/** What {@link GraphQLResponseError} is built from. */
export interface GraphQLResponseErrorInit {
  errors: readonly GraphQLErrorPayload[];
  /** Partial data the gateway returned next to the errors, if any. */
  data?: unknown;
  /** HTTP status when the response came over HTTP. */
  status?: number;
}

// Used only when the gateway's error carries no code of its own.
const codeByStatus: Readonly<Record<number, SoplineErrorCode>> = {
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  429: "RATE_LIMITED",
};

/**
 * The gateway answered with a well-formed GraphQL response that carries `errors`.
 *
 * @example
 * try { await client.completeTask(id) } catch (e) {
 *   if (e instanceof GraphQLResponseError && e.code === "UNAUTHENTICATED") relogin();
 * }
 */
export class GraphQLResponseError extends SoplineClientError {
  /** The gateway's errors, never empty. */
  readonly errors: readonly GraphQLErrorPayload[];
  /** `extensions.code` of the first error (falls back to the HTTP status, then `"UNKNOWN"`). */
  readonly code: SoplineErrorCode;
  /** Partial data returned next to the errors (`undefined` or `null` when none). */
  readonly data: unknown;
  /** HTTP status when the response came over HTTP. */
  readonly status: number | undefined;
  /** Every `extensions.issues` entry of every error (BAD_USER_INPUT names each bad field); empty when none. */
  readonly issues: readonly InputIssue[];

  constructor(init: GraphQLResponseErrorInit) {
    const first = init.errors[0];
    const code =
      first?.extensions?.code ??
      (init.status === undefined ? undefined : (codeByStatus[init.status] ?? (init.status >= 500 ? "INTERNAL" : undefined))) ??
      "UNKNOWN";
    const where = first?.path && first.path.length > 0 ? ` at ${first.path.join(".")}` : "";
    const more = init.errors.length > 1 ? ` (and ${init.errors.length - 1} more)` : "";
    super(`Gateway returned a GraphQL error [${code}]${where}: ${first?.message ?? "(no message)"}${more}`);
    this.name = "GraphQLResponseError";
    this.errors = init.errors;
    this.code = code;
    this.data = init.data;
    this.status = init.status;
    this.issues = init.errors.flatMap((e) => (Array.isArray(e.extensions?.issues) ? e.extensions.issues.filter(isIssue) : []));
  }

  /** True when any of the errors (not just the first) carries `code`. */
  hasCode(code: SoplineErrorCode): boolean {
    return this.code === code || this.errors.some((e) => e.extensions?.code === code);
  }
}

/** Why a {@link NetworkError} happened. */
export type NetworkErrorKind =
  /** No response at all: offline, DNS, refused connection, `request:fail ...`. */
  | "unreachable"
  /** Our own deadline passed (or wx's `request:fail timeout`). */
  | "timeout"
  /** The caller aborted the request. */
  | "aborted"
  /** An HTTP error status whose body is not a GraphQL response (proxy 502 page, ...). */
  | "http"
  /** A WebSocket closed in a way the retry policy gave up on. */
  | "closed";

/** Options for {@link NetworkError}. */
export interface NetworkErrorInit {
  kind: NetworkErrorKind;
  message: string;
  status?: number;
  closeCode?: number;
  cause?: unknown;
}

/** The gateway could not be reached, or something between us and it failed. Usually worth retrying. */
export class NetworkError extends SoplineClientError {
  readonly kind: NetworkErrorKind;
  readonly status: number | undefined;
  readonly closeCode: number | undefined;

  constructor(init: NetworkErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "NetworkError";
    this.kind = init.kind;
    this.status = init.status;
    this.closeCode = init.closeCode;
  }
}

/** Options for {@link ProtocolError}. */
export interface ProtocolErrorInit {
  message: string;
  status?: number;
  closeCode?: number;
  cause?: unknown;
}

/**
 * Something answered, but not in a shape GraphQL over HTTP / graphql-transport-ws allows
 * (HTML where JSON was expected, a wrong subprotocol, ...). Retrying rarely helps: it is a
 * misconfiguration (wrong URL, a captive portal) or a bug.
 */
export class ProtocolError extends SoplineClientError {
  readonly status: number | undefined;
  readonly closeCode: number | undefined;

  constructor(init: ProtocolErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "ProtocolError";
    this.status = init.status;
    this.closeCode = init.closeCode;
  }
}

function isIssue(value: unknown): value is InputIssue {
  const v = value as Partial<InputIssue> | null;
  return typeof v === "object" && v !== null && typeof v.path === "string" && typeof v.message === "string";
}

/** Narrowing helper for `unknown` catch values. */
export function isSoplineClientError(value: unknown): value is SoplineClientError {
  return value instanceof SoplineClientError;
}
