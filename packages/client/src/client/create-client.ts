/**
 * `createClient`: the typed client for Node (fetch + a WebSocket class such as `ws`), browsers,
 * or a mini-program when given `wx`. Mini-programs that care about bundle size use
 * `createWxClient` from `@sopline/client/wx`, which leaves the fetch transport out.
 */
import type { TokenSource } from "../transport/auth.js";
import { createFetchTransport, type FetchLike } from "../transport/fetch-transport.js";
import { createSubscriptionClient } from "../transport/subscriptions.js";
import type { RequestTransport } from "../transport/types.js";
import { createWxRequestTransport } from "../transport/wx-request.js";
import { createWxWebSocket } from "../transport/wx-socket.js";
import type { WxRequestApi, WxSocketApi } from "../transport/wx-types.js";
import { subscriptionOptions, type LiveOptions } from "./live-options.js";
import { createSoplineClient, type LiveWire, type SoplineClient } from "./sopline-client.js";

/** Options of {@link createClient}. */
export interface ClientOptions extends LiveOptions {
  /** The gateway's GraphQL endpoint, e.g. `https://api.example.com/graphql`. */
  url: string;
  /** A workspace API key (servers) or a staff token (mini-programs); a function is asked before every request and (re)connection. */
  token?: TokenSource;
  /** Your own wire: `request` replaces HTTP; with `subscribe` (and ideally `onConnected`) it replaces the socket too. */
  transport?: RequestTransport & Partial<LiveWire>;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** A WebSocket class: `WebSocket` from "ws" on Node < 22; default: the global one. Needed only for subscriptions. */
  webSocketImpl?: unknown;
  /** Use `wx.request` and `wx.connectSocket` instead of fetch and WebSocket. */
  wx?: WxRequestApi & WxSocketApi;
  /** Extra HTTP headers on every request. */
  headers?: Record<string, string>;
  /** Request timeout in ms (default 15 000). */
  timeoutMs?: number;
}

/**
 * Creates the typed client.
 *
 * @example
 * import WebSocket from "ws";
 * const client = createClient({ url: "http://localhost:4000/graphql", token: process.env.SOPLINE_API_KEY, webSocketImpl: WebSocket });
 * const board = await client.board("b2b-nurture");
 * const stop = client.boardChanges({ next: (b) => render(b) });
 */
export function createClient(options: ClientOptions): SoplineClient {
  const { url, token, wx } = options;
  const http: RequestTransport =
    options.transport ??
    (wx
      ? createWxRequestTransport({ url, wx, ...common(options) })
      : createFetchTransport({ url, ...(options.fetch ? { fetch: options.fetch } : {}), ...common(options) }));
  const custom = options.transport;
  return createSoplineClient({
    request: http.request,
    live: () =>
      custom?.subscribe
        ? (custom as LiveWire)
        : createSubscriptionClient(subscriptionOptions(url, token, options, wx ? createWxWebSocket({ wx }) : options.webSocketImpl)),
  });
}

function common(options: ClientOptions) {
  return {
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
}
