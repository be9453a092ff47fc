/**
 * The minimal contract between the typed client and the wire. Every implementation in this
 * folder is closure-based (no `this`), so methods can be picked and combined freely:
 *
 * @example
 * const transport: Transport = { request: http.request, subscribe: live.subscribe };
 */
import type { GraphQLErrorPayload, SoplineClientError } from "./errors.js";

export type {
  GraphQLErrorPayload,
  GraphQLResponseErrorInit,
  InputIssue,
  NetworkErrorInit,
  NetworkErrorKind,
  ProtocolErrorInit,
  SoplineErrorCode,
} from "./errors.js";
export { GraphQLResponseError, NetworkError, ProtocolError, SoplineClientError, isSoplineClientError } from "./errors.js";

/** One GraphQL operation as sent on the wire (GraphQL over HTTP request parameters). */
export interface GraphQLOperation<TVariables = Record<string, unknown>> {
  readonly query: string;
  readonly variables?: TVariables;
  readonly operationName?: string;
  readonly extensions?: Record<string, unknown>;
}

/** A GraphQL response. `errors`, when present, is never empty. */
export interface GraphQLResult<TData = Record<string, unknown>> {
  readonly data?: TData | null;
  readonly errors?: readonly GraphQLErrorPayload[];
  readonly extensions?: Record<string, unknown>;
  /** HTTP status when the result came over HTTP (e.g. 401 with an UNAUTHENTICATED error). */
  readonly status?: number;
}

/** The part of `AbortSignal` the transports use (so no DOM lib is needed to type a mini-program). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: "abort", listener: () => void): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** Per-request options. */
export interface RequestOptions {
  /** Abort the request; it then rejects with a `NetworkError` of kind `"aborted"`. */
  readonly signal?: AbortSignalLike;
  /** Override the transport's timeout for this request (ms; `0` disables). */
  readonly timeoutMs?: number;
}

/** Stops a subscription or removes a listener. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/** Receives a subscription's results. `error` and `complete` are terminal: at most one is called, once. */
export interface ResultSink<TData = Record<string, unknown>> {
  next(result: GraphQLResult<TData>): void;
  error(error: SoplineClientError): void;
  complete(): void;
}

/**
 * Queries and mutations. Resolves with the gateway's GraphQL response whenever there is one,
 * including non-2xx responses whose body is a GraphQL response (e.g. 401 + UNAUTHENTICATED);
 * use `unwrap()` to turn `errors` into a thrown {@link GraphQLResponseError}. Rejects with a
 * `NetworkError` or `ProtocolError` when no GraphQL response arrived.
 */
export interface RequestTransport {
  request<TData = Record<string, unknown>, TVariables = Record<string, unknown>>(
    operation: GraphQLOperation<TVariables>,
    options?: RequestOptions,
  ): Promise<GraphQLResult<TData>>;
}

/** Subscriptions. Returns a function that stops the subscription. */
export interface SubscriptionTransport {
  subscribe<TData = Record<string, unknown>, TVariables = Record<string, unknown>>(
    operation: GraphQLOperation<TVariables>,
    sink: ResultSink<TData>,
  ): Unsubscribe;
}

/** Everything the typed client needs from the wire. */
export interface Transport extends RequestTransport, SubscriptionTransport {}
