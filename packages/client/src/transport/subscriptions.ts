/**
 * GraphQL subscriptions over graphql-ws (`graphql-transport-ws`), with the policies a staff
 * mini-program needs: lazy connect, reconnect forever with jittered exponential backoff, the
 * token in `connectionParams` (asked again on every reconnect), and typed errors in the sink.
 */
import { CloseCode, createClient, type Client } from "graphql-ws/client";
import { bearer, resolveToken, type TokenSource } from "./auth.js";
import { exponentialBackoff } from "./backoff.js";
import { GraphQLResponseError, NetworkError, ProtocolError, SoplineClientError, type GraphQLErrorPayload } from "./errors.js";
import type { GraphQLOperation, ResultSink, SubscriptionTransport, Unsubscribe } from "./types.js";

/** Options for {@link createSubscriptionClient}. */
export interface SubscriptionClientOptions {
  /** `wss://…/graphql` (a function is asked on every (re)connection). */
  url: string | (() => string | Promise<string>);
  /** `createWxWebSocket({ wx })` in mini-programs, `WebSocket` from "ws" on Node < 22; defaults to the global. */
  webSocketImpl?: unknown;
  /** Sent as `connectionParams.authorization = "Bearer <token>"`; a function is asked on every (re)connection. */
  token?: TokenSource;
  /** Extra `connectionParams`, merged under the token. */
  connectionParams?: Record<string, unknown> | (() => Record<string, unknown> | Promise<Record<string, unknown>>);
  /** Connect on first subscribe and close after the last one ends (default true). */
  lazy?: boolean;
  /** Wait before reconnect attempt `retries` (0-based). Default: `exponentialBackoff({ random })`. */
  retryWait?: (retries: number) => Promise<void>;
  /** Randomness for the default `retryWait` (default `Math.random`). */
  random?: () => number;
  /** Reconnect attempts before the sinks get an error (default `Infinity`: a feed should outlive bad networks). */
  retryAttempts?: number;
  /** Whether a failed connection may be retried. Default: everything but 4403 Forbidden (a bad token stays bad). */
  shouldRetry?: (errorOrCloseEvent: unknown) => boolean;
  /** Ping interval in ms (default 0: off; the gateway pings). */
  keepAlive?: number;
  /** Keep the socket this long after the last subscription ends (default 0). */
  lazyCloseTimeout?: number;
  /** Non-lazy mode only: where a fatal connection error goes (default `console.error`). */
  onNonLazyError?: (error: SoplineClientError) => void;
}

/** Passed to {@link SubscriptionClient.onConnected} listeners. */
export interface ConnectedInfo {
  /** True when this connection replaces one that dropped: live items may have been missed. */
  reconnected: boolean;
}

/** A {@link SubscriptionTransport} with connection events and lifecycle. */
export interface SubscriptionClient extends SubscriptionTransport {
  /** Called each time the gateway acknowledges a connection (before subscriptions are re-sent). */
  onConnected(listener: (info: ConnectedInfo) => void): Unsubscribe;
  /** Drop the current socket at once (it reconnects per the retry policy): for stuck sockets. */
  terminate(): void;
  /** Close the socket and stop reconnecting. */
  dispose(): Promise<void>;
  /** The underlying graphql-ws client (escape hatch). */
  readonly graphqlWs: Client;
}

/**
 * Creates the subscription client.
 *
 * @example
 * const live = createSubscriptionClient({
 *   url: "wss://api.example.com/graphql",
 *   webSocketImpl: createWxWebSocket({ wx }),
 *   token: () => getApp().token,
 * });
 * const stop = live.subscribe({ query: "subscription { taskFeed { seq } }" }, { next, error, complete });
 */
export function createSubscriptionClient(options: SubscriptionClientOptions): SubscriptionClient {
  const graphqlWs = createClient({
    url: options.url,
    ...(options.webSocketImpl === undefined ? {} : { webSocketImpl: options.webSocketImpl }),
    lazy: options.lazy ?? true,
    lazyCloseTimeout: options.lazyCloseTimeout ?? 0,
    keepAlive: options.keepAlive ?? 0,
    retryAttempts: options.retryAttempts ?? Number.POSITIVE_INFINITY,
    retryWait: options.retryWait ?? exponentialBackoff(options.random ? { random: options.random } : {}),
    // graphql-ws retries only close events by default; a wx/browser socket reports an error
    // event first, which would otherwise end every subscription on the first network blip.
    shouldRetry: options.shouldRetry ?? ((e) => !(isCloseLike(e) && e.code === CloseCode.Forbidden)),
    connectionParams: async () => {
      const extra = typeof options.connectionParams === "function" ? await options.connectionParams() : options.connectionParams;
      const token = await resolveToken(options.token);
      return { ...extra, ...(token ? { authorization: bearer(token) } : {}) };
    },
    onNonLazyError: (e) => (options.onNonLazyError ?? console.error)(toClientError(e)),
  });

  return {
    graphqlWs,
    subscribe: ((operation: GraphQLOperation<unknown>, sink: ResultSink<unknown>) => {
      let inCallback = false;
      let stopped = false;
      // A throwing sink must not reach graphql-ws: it would treat it as a bad server message and close the socket.
      const call = (run: () => void) => {
        inCallback = true;
        try {
          guard(run);
        } finally {
          inCallback = false;
        }
      };
      const release = graphqlWs.subscribe(
        {
          query: operation.query,
          ...(operation.variables === undefined ? {} : { variables: operation.variables as Record<string, unknown> }),
          ...(operation.operationName === undefined ? {} : { operationName: operation.operationName }),
          ...(operation.extensions === undefined ? {} : { extensions: operation.extensions }),
        },
        {
          next: (result) => call(() => sink.next(result as never)),
          error: (e) => call(() => sink.error(toClientError(e))),
          complete: () => call(() => sink.complete()),
        },
      );
      return () => {
        if (stopped) return;
        stopped = true;
        // graphql-ws 6 releases a subscription's lock again when the server's "complete" follows
        // in the same socket read as the "next" whose handler unsubscribed: the lock count would
        // drop below the number of live subscriptions and the lazy socket close under them.
        // Deferred, the "complete" is handled first and the late release is a no-op.
        if (inCallback) setTimeout(release, 0);
        else release();
      };
    }) as SubscriptionTransport["subscribe"],
    onConnected: (listener) => graphqlWs.on("connected", (_socket, _payload, wasRetry) => listener({ reconnected: wasRetry })),
    terminate: () => graphqlWs.terminate(),
    dispose: async () => {
      await graphqlWs.dispose();
    },
  };
}

/** Maps what graphql-ws hands a sink (GraphQL errors, a CloseEvent, an Error, an error Event) to a typed error. */
export function toClientError(e: unknown): SoplineClientError {
  if (e instanceof SoplineClientError) return e;
  if (Array.isArray(e)) {
    const errors = e.map(
      (x): GraphQLErrorPayload => (typeof x === "object" && x !== null && "message" in x ? (x as GraphQLErrorPayload) : { message: String(x) }),
    );
    return new GraphQLResponseError({ errors: errors.length > 0 ? errors : [{ message: "Subscription failed without errors" }] });
  }
  if (isCloseLike(e)) {
    const reason = e.reason ? `: ${e.reason}` : "";
    if (e.code === CloseCode.Forbidden) {
      // graphql-ws closes with 4403 when the gateway's onConnect rejects the connection (bad or expired token).
      return new GraphQLResponseError({ errors: [{ message: e.reason || "Forbidden", extensions: { code: "FORBIDDEN" } }] });
    }
    if (protocolCloseCodes.has(e.code)) {
      return new ProtocolError({ closeCode: e.code, cause: e, message: `Expected the graphql-transport-ws protocol, but the socket closed with ${e.code}${reason}` });
    }
    return new NetworkError({ kind: "closed", closeCode: e.code, cause: e, message: `Expected an open subscription socket, but it closed with ${e.code}${reason}` });
  }
  if (e instanceof Error) {
    return new ProtocolError({ cause: e, message: `Subscription failed inside graphql-ws: ${e.message}` });
  }
  const message = typeof e === "object" && e !== null && "message" in e ? String((e as { message: unknown }).message) : String(e);
  return new NetworkError({ kind: "unreachable", cause: e, message: `Expected a subscription socket, but it failed: ${message}` });
}

const protocolCloseCodes: ReadonlySet<number> = new Set([
  CloseCode.BadRequest,
  CloseCode.BadResponse,
  CloseCode.Unauthorized,
  CloseCode.SubprotocolNotAcceptable,
  CloseCode.SubscriberAlreadyExists,
  CloseCode.TooManyInitialisationRequests,
  CloseCode.InternalClientError,
  1002, // protocol error
  1003, // unsupported data
]);

function isCloseLike(value: unknown): value is { code: number; reason: string } {
  return typeof value === "object" && value !== null && typeof (value as { code?: unknown }).code === "number" && "reason" in value;
}

function guard(run: () => void): void {
  try {
    run();
  } catch (error) {
    setTimeout(() => {
      throw error;
    }, 0);
  }
}
