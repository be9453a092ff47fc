/** Transport layer of @sopline/client: schema-independent wire code for Node, browsers and WeChat. */
export * from "./types.js";
export { unwrap } from "./result.js";
export { bearer, resolveToken, type TokenSource } from "./auth.js";
export { GRAPHQL_ACCEPT, interpretHttpResponse, serializeOperation, type RawHttpResponse } from "./graphql-over-http.js";
export { createFetchTransport, resolveFetch, type FetchLike, type FetchTransportOptions, type TimerLike } from "./fetch-transport.js";
export { createWxRequestTransport, failToError, type WxRequestTransportOptions } from "./wx-request.js";
export { createWxWebSocket, type WebSocketLike, type WebSocketLikeConstructor, type WxWebSocketOptions } from "./wx-socket.js";
export { wxOnlineSignal, type OnlineSignal } from "./wx-network.js";
export { backoffDelay, exponentialBackoff, type BackoffOptions } from "./backoff.js";
export {
  createSubscriptionClient,
  toClientError,
  type ConnectedInfo,
  type SubscriptionClient,
  type SubscriptionClientOptions,
} from "./subscriptions.js";
export {
  compareCursors,
  liveItems,
  resumableFeed,
  type CatchUpPage,
  type Cursor,
  type FeedSink,
  type LiveSink,
  type ResumableFeed,
  type ResumableFeedOptions,
} from "./resumable-feed.js";
export * from "./wx-types.js";
