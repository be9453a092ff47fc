/** Options shared by `createClient` and `createWxClient` for the subscription socket. */
import type { TokenSource } from "../transport/auth.js";
import type { SubscriptionClientOptions } from "../transport/subscriptions.js";

/** Reconnect and socket policy. */
export interface LiveOptions {
  /** `ws(s)://…/graphql`; default: `url` with http(s) → ws(s). */
  wsUrl?: string;
  /** Wait before reconnect attempt `retries` (0-based). Default: jittered exponential backoff, 1 s doubling to 30 s. */
  retryWait?: (retries: number) => Promise<void>;
  /** Randomness for the default backoff (default `Math.random`). */
  random?: () => number;
  /** Reconnect attempts before subscriptions fail (default: forever). */
  retryAttempts?: number;
  /** Client ping interval in ms (default 0: the gateway pings). */
  keepAlive?: number;
}

/**
 * The graphql-ws URL for a GraphQL-over-HTTP URL: same host and path, ws(s) scheme.
 *
 * @example
 * wsUrlOf("https://api.example.com/graphql"); // "wss://api.example.com/graphql"
 */
export function wsUrlOf(url: string): string {
  return url.replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s}://`);
}

/**
 * `createSubscriptionClient` options from the client's.
 *
 * @example
 * createSubscriptionClient(subscriptionOptions(url, token, { retryWait }, createWxWebSocket({ wx })));
 */
export function subscriptionOptions(url: string, token: TokenSource | undefined, live: LiveOptions, webSocketImpl: unknown): SubscriptionClientOptions {
  return {
    url: live.wsUrl ?? wsUrlOf(url),
    ...(webSocketImpl === undefined ? {} : { webSocketImpl }),
    ...(token === undefined ? {} : { token }),
    ...(live.retryWait ? { retryWait: live.retryWait } : {}),
    ...(live.random ? { random: live.random } : {}),
    ...(live.retryAttempts === undefined ? {} : { retryAttempts: live.retryAttempts }),
    ...(live.keepAlive === undefined ? {} : { keepAlive: live.keepAlive }),
  };
}
