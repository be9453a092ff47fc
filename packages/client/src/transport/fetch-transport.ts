/**
 * GraphQL over HTTP with `fetch`, for Node (official-account back ends) and browsers.
 */
import { bearer, resolveToken, type TokenSource } from "./auth.js";
import { NetworkError } from "./errors.js";
import { GRAPHQL_ACCEPT, interpretHttpResponse, serializeOperation } from "./graphql-over-http.js";
import type { GraphQLOperation, RequestOptions, RequestTransport } from "./types.js";

/** The part of the Fetch API this transport calls. */
export type FetchLike = (
  url: string,
  init: { method: "POST"; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

/** Timer functions, injectable so tests decide when a timeout fires. */
export interface TimerLike {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options for {@link createFetchTransport}. */
export interface FetchTransportOptions {
  /** The gateway's GraphQL endpoint, e.g. `https://api.example.com/graphql`. */
  url: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Sent as `Authorization: Bearer <token>`; a function is asked before every request. */
  token?: TokenSource;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Abort after this many ms (default 15 000; `0` disables). */
  timeoutMs?: number;
  /** Defaults to the global `setTimeout` / `clearTimeout`. */
  timer?: TimerLike;
}

const defaultTimer: TimerLike = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * The fetch you were given, else the global one, else a clear error (the tRPC `getFetch` rule).
 * The global is wrapped, not returned: some browsers throw "Illegal invocation" on a detached fetch.
 */
export function resolveFetch(custom?: FetchLike): FetchLike {
  if (custom) return custom;
  const globalFetch = (globalThis as { fetch?: unknown }).fetch;
  if (typeof globalFetch === "function") {
    return (url, init) => (globalThis as unknown as { fetch: FetchLike }).fetch(url, init);
  }
  throw new TypeError(
    "Expected a fetch implementation, but none was passed and globalThis.fetch is " +
      `${typeof globalFetch}. Pass \`fetch\` to createFetchTransport (Node < 18), ` +
      "or use createWxRequestTransport inside a WeChat mini-program.",
  );
}

/**
 * A {@link RequestTransport} that POSTs JSON to the gateway.
 *
 * @example
 * const http = createFetchTransport({ url: "https://api.example.com/graphql", token: () => session.token });
 * const { hello } = unwrap(await http.request<{ hello: string }>({ query: "{ hello }" }));
 */
export function createFetchTransport(options: FetchTransportOptions): RequestTransport {
  const fetchImpl = resolveFetch(options.fetch); // fail at construction, not at first request
  const timer = options.timer ?? defaultTimer;
  const { url } = options;

  async function request(operation: GraphQLOperation<unknown>, requestOptions?: RequestOptions) {
    const signal = requestOptions?.signal;
    if (signal?.aborted) throw aborted(url, signal.reason);
    const token = await resolveToken(options.token);
    if (signal?.aborted) throw aborted(url, signal.reason); // aborted while the token was being fetched
    const headers: Record<string, string> = {
      ...options.headers,
      "content-type": "application/json",
      accept: GRAPHQL_ACCEPT,
      ...(token ? { authorization: bearer(token) } : {}),
    };
    const timeoutMs = requestOptions?.timeoutMs ?? options.timeoutMs ?? 15_000;
    const controller = new AbortController();
    let timedOut = false;
    const handle =
      timeoutMs > 0 && Number.isFinite(timeoutMs)
        ? timer.setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeoutMs)
        : undefined;
    const onAbort = () => controller.abort();
    signal?.addEventListener("abort", onAbort);
    try {
      let status: number;
      let contentType: string | undefined;
      let body: string;
      try {
        const response = await fetchImpl(url, { method: "POST", headers, body: serializeOperation(operation), signal: controller.signal });
        status = response.status;
        contentType = response.headers.get("content-type") ?? undefined;
        body = await response.text(); // still under the timeout: a stalled body counts too
      } catch (cause) {
        if (timedOut) {
          throw new NetworkError({ kind: "timeout", cause, message: `Expected a response from POST ${url} within ${timeoutMs} ms, got none` });
        }
        if (signal?.aborted) throw aborted(url, cause);
        throw new NetworkError({
          kind: "unreachable",
          cause,
          message: `Expected a response from POST ${url}, but fetch failed: ${describe(cause)}`,
        });
      }
      return interpretHttpResponse({ url, status, contentType, body });
    } finally {
      if (handle !== undefined) timer.clearTimeout(handle);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  return { request: request as RequestTransport["request"] };
}

function aborted(url: string, cause: unknown): NetworkError {
  return new NetworkError({ kind: "aborted", cause, message: `Request to POST ${url} was aborted by the caller` });
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    // undici hides the interesting part (ECONNREFUSED, ENOTFOUND) in `cause`.
    const inner = (cause as { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message;
  }
  return String(cause);
}
