/**
 * `createWxClient`: the typed client inside a WeChat mini-program, on `wx.request` and
 * `wx.connectSocket` only (no fetch, no WebSocket class there), so the bundle stays small.
 */
import type { TokenSource } from "../transport/auth.js";
import { createSubscriptionClient } from "../transport/subscriptions.js";
import { createWxRequestTransport } from "../transport/wx-request.js";
import { createWxWebSocket } from "../transport/wx-socket.js";
import { resolveWx, type WxRequestApi, type WxSocketApi } from "../transport/wx-types.js";
import { subscriptionOptions, type LiveOptions } from "./live-options.js";
import { createSoplineClient, type SoplineClient } from "./sopline-client.js";

/** Options of {@link createWxClient}. */
export interface WxClientOptions extends LiveOptions {
  /** `https://…/graphql` (a 合法域名 of the mini-program; the socket uses the same host as wss). */
  url: string;
  /** The staff token (`issueStaffToken`); a function is asked before every request and reconnection. */
  token?: TokenSource;
  /** Default: the global `wx`. */
  wx?: WxRequestApi & WxSocketApi;
  /** Extra HTTP headers (wx refuses `Referer`). */
  headers?: Record<string, string>;
  /** wx.request timeout in ms (default 15 000). */
  timeoutMs?: number;
}

/**
 * Creates the typed client for a mini-program.
 *
 * @example
 * import { createWxClient } from "@sopline/client/wx";
 * const client = createWxClient({ url: "https://api.example.com/graphql", token: () => getApp().globalData.staffToken });
 * const { tasks } = await client.tasks({ status: "OPEN" });
 */
export function createWxClient(options: WxClientOptions): SoplineClient {
  const wx = resolveWx(options.wx, "request");
  const { url, token } = options;
  const http = createWxRequestTransport({
    url,
    wx,
    ...(token === undefined ? {} : { token }),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return createSoplineClient({
    request: http.request,
    live: () => createSubscriptionClient(subscriptionOptions(url, token, options, createWxWebSocket({ wx }))),
  });
}
