import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createFetchTransport,
  GraphQLResponseError,
  NetworkError,
  ProtocolError,
  unwrap,
  type FetchLike,
  type TimerLike,
} from "../src/transport/index.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

/** A timer that fires only when the test says so. */
function manualTimer(): TimerLike & { fire(): void; pending(): number } {
  const callbacks = new Map<number, () => void>();
  let next = 0;
  return {
    setTimeout: (callback) => {
      callbacks.set(++next, callback);
      return next;
    },
    clearTimeout: (handle) => void callbacks.delete(handle as number),
    fire: () => {
      const all = [...callbacks.values()];
      callbacks.clear();
      for (const callback of all) callback();
    },
    pending: () => callbacks.size,
  };
}

describe("createFetchTransport against a real yoga server", () => {
  it("returns data for a query with variables", async () => {
    const http = createFetchTransport({ url: server.url });
    const result = await http.request<{ hello: string }>({ query: "query Hi($name: String) { hello(name: $name) }", variables: { name: "staff" } });
    expect(result.data).toEqual({ hello: "hello staff" });
    expect(result.errors).toBeUndefined();
    expect(unwrap(result).hello).toBe("hello staff");
  });

  it("sends the bearer token, asked again for every request", async () => {
    let token = "t-1";
    const http = createFetchTransport({ url: server.url, token: () => token });
    expect(unwrap(await http.request<{ me: string }>({ query: "{ me }" })).me).toBe("t-1");
    token = "t-2";
    expect(unwrap(await http.request<{ me: string }>({ query: "{ me }" })).me).toBe("t-2");
  });

  it("reads a 401 GraphQL body as a typed UNAUTHENTICATED error, not a network failure", async () => {
    const http = createFetchTransport({ url: server.url });
    const result = await http.request({ query: "{ me }" });
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const error = catchError(() => unwrap(result));
    expect(error).toBeInstanceOf(GraphQLResponseError);
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", status: 401 });
  });

  it("keeps partial data next to a FORBIDDEN field error", async () => {
    const http = createFetchTransport({ url: server.url });
    const result = await http.request({ query: "{ hello secret }" });
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ hello: "hello world", secret: null });
    const error = catchError(() => unwrap(result)) as GraphQLResponseError;
    expect(error.code).toBe("FORBIDDEN");
    expect(error.data).toEqual({ hello: "hello world", secret: null });
    expect(error.message).toBe("Gateway returned a GraphQL error [FORBIDDEN] at secret: Staff only");
  });

  it("reads a 400 validation failure as a GraphQL error with yoga's code", async () => {
    const http = createFetchTransport({ url: server.url });
    const result = await http.request({ query: "{ nope }" });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("asks for graphql-response+json and posts JSON", async () => {
    const seen: { headers: Record<string, string>; body: string }[] = [];
    const spy: FetchLike = async (url, init) => {
      seen.push({ headers: init.headers, body: init.body });
      return fetch(url, init);
    };
    const http = createFetchTransport({ url: server.url, fetch: spy, token: "abc", headers: { "x-app": "mp" } });
    await http.request({ query: "{ hello }", operationName: undefined });
    expect(seen[0]?.headers).toMatchObject({
      accept: "application/graphql-response+json, application/json;q=0.9",
      "content-type": "application/json",
      authorization: "Bearer abc",
      "x-app": "mp",
    });
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ query: "{ hello }" });
  });

  it("turns a proxy's HTML 502 into a NetworkError with the status and a preview", async () => {
    const http = createFetchTransport({ url: server.url, fetch: async () => new Response("<html>Bad Gateway</html>", { status: 502, headers: { "content-type": "text/html" } }) });
    const error = await http.request({ query: "{ hello }" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ kind: "http", status: 502 });
    expect((error as Error).message).toBe(`Expected a GraphQL response from POST ${server.url}, got HTTP 502 (text/html): "<html>Bad Gateway</html>"`);
  });

  it("turns a 200 that is not a GraphQL response into a ProtocolError (captive portal, wrong URL)", async () => {
    const http = createFetchTransport({ url: server.url, fetch: async () => new Response("<html>login to wifi</html>", { status: 200, headers: { "content-type": "text/html" } }) });
    const error = await http.request({ query: "{ hello }" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toContain('Expected a GraphQL response (a JSON object with "data" or "errors")');
  });

  it("reports an unreachable gateway as NetworkError 'unreachable'", async () => {
    const http = createFetchTransport({ url: "http://127.0.0.1:1/graphql" });
    const error = await http.request({ query: "{ hello }" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ kind: "unreachable" });
    expect((error as Error).message).toMatch(/^Expected a response from POST http:\/\/127\.0\.0\.1:1\/graphql, but fetch failed/);
  });

  it("times out through the injected timer, without waiting", async () => {
    const timer = manualTimer();
    const http = createFetchTransport({ url: server.url, timer, timeoutMs: 5_000 });
    const pending = http.request({ query: "{ hang }" }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(timer.pending()).toBe(1));
    timer.fire();
    const error = await pending;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ kind: "timeout" });
    expect((error as Error).message).toBe(`Expected a response from POST ${server.url} within 5000 ms, got none`);
    server.releaseHang();
  });

  it("clears its timer when the response arrives", async () => {
    const timer = manualTimer();
    const http = createFetchTransport({ url: server.url, timer });
    await http.request({ query: "{ hello }" });
    expect(timer.pending()).toBe(0);
  });

  it("aborts through the caller's signal", async () => {
    const controller = new AbortController();
    const http = createFetchTransport({ url: server.url });
    const pending = http.request({ query: "{ hang }" }, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    expect(await pending).toMatchObject({ kind: "aborted" });
    server.releaseHang();
  });

  it("fails at construction with a clear message when there is no fetch at all", () => {
    vi.stubGlobal("fetch", undefined);
    try {
      expect(() => createFetchTransport({ url: server.url })).toThrow(
        /^Expected a fetch implementation, but none was passed and globalThis.fetch is undefined/,
      );
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("Expected the call to throw");
}
