/**
 * GraphQL over HTTP with `wx.request`: the mini-program runtime has no `fetch`.
 */
import { bearer, resolveToken, type TokenSource } from "./auth.js";
import { NetworkError } from "./errors.js";
import { GRAPHQL_ACCEPT, interpretHttpResponse, serializeOperation } from "./graphql-over-http.js";
import type { GraphQLOperation, GraphQLResult, RequestOptions, RequestTransport } from "./types.js";
import { headerValue, resolveWx, type WxCallbackResult, type WxRequestApi } from "./wx-types.js";

/** Options for {@link createWxRequestTransport}. */
export interface WxRequestTransportOptions {
  /** The gateway's GraphQL endpoint (must be a configured 合法域名 in the mini-program console). */
  url: string;
  /** Defaults to the global `wx`. */
  wx?: WxRequestApi;
  /** Sent as `Authorization: Bearer <token>`; a function is asked before every request. */
  token?: TokenSource;
  /** Extra headers on every request (wx refuses `Referer`). */
  headers?: Record<string, string>;
  /** Passed to wx.request's own `timeout` (default 15 000 ms; `0` leaves wx's default of 60 s). */
  timeoutMs?: number;
}

/**
 * A {@link RequestTransport} over `wx.request`, behaving like `createFetchTransport`.
 *
 * @example
 * const http = createWxRequestTransport({ wx, url: "https://api.example.com/graphql", token: () => getApp().token });
 */
export function createWxRequestTransport(options: WxRequestTransportOptions): RequestTransport {
  const wx = resolveWx(options.wx, "request");
  const { url } = options;

  async function request(operation: GraphQLOperation<unknown>, requestOptions?: RequestOptions): Promise<GraphQLResult> {
    const signal = requestOptions?.signal;
    if (signal?.aborted) throw abortedError(url, signal.reason);
    const token = await resolveToken(options.token);
    if (signal?.aborted) throw abortedError(url, signal.reason); // aborted while the token was being fetched
    const timeoutMs = requestOptions?.timeoutMs ?? options.timeoutMs ?? 15_000;
    return new Promise<GraphQLResult>((resolve, reject) => {
      const onAbort = () => task.abort();
      const done = () => signal?.removeEventListener("abort", onAbort);
      const task = wx.request({
        url,
        method: "POST",
        header: {
          ...options.headers,
          "content-type": "application/json",
          accept: GRAPHQL_ACCEPT,
          ...(token ? { authorization: bearer(token) } : {}),
        },
        // A string body is sent verbatim; an object would be re-encoded by wx.
        data: serializeOperation(operation),
        ...(timeoutMs > 0 && Number.isFinite(timeoutMs) ? { timeout: timeoutMs } : {}),
        dataType: "json",
        responseType: "text",
        success: (res) => {
          done();
          try {
            resolve(interpretHttpResponse({ url, status: res.statusCode, contentType: headerValue(res.header, "content-type"), body: res.data }));
          } catch (error) {
            reject(error);
          }
        },
        fail: (res) => {
          done();
          reject(signal?.aborted ? abortedError(url, res) : failToError(res, url, timeoutMs));
        },
      });
      signal?.addEventListener("abort", onAbort);
    });
  }

  return { request: request as RequestTransport["request"] };
}

/** Maps a `wx.request` `fail` result to a {@link NetworkError}. */
export function failToError(res: WxCallbackResult, url: string, timeoutMs?: number): NetworkError {
  const errMsg = res.errMsg ?? "request:fail";
  if (/timeout|timed out|超时/i.test(errMsg)) {
    return new NetworkError({
      kind: "timeout",
      cause: res,
      message: `Expected a response from POST ${url}${timeoutMs ? ` within ${timeoutMs} ms` : ""}, got wx.request ${JSON.stringify(errMsg)}`,
    });
  }
  if (/:fail abort/i.test(errMsg)) return abortedError(url, res);
  return new NetworkError({
    kind: "unreachable",
    cause: res,
    message: `Expected a response from POST ${url}, but wx.request failed: ${JSON.stringify(errMsg)}`,
  });
}

function abortedError(url: string, cause: unknown): NetworkError {
  return new NetworkError({ kind: "aborted", cause, message: `Request to POST ${url} was aborted by the caller` });
}
