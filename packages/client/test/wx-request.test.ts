import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeWx } from "../src/testing/fake-wx.js";
import {
  createWxRequestTransport,
  GraphQLResponseError,
  NetworkError,
  unwrap,
  type WxRequestApi,
} from "../src/transport/index.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

describe("createWxRequestTransport over the fake wx.request", () => {
  it("returns data over real HTTP", async () => {
    const wx = createFakeWx();
    const http = createWxRequestTransport({ wx, url: server.url, token: "staff-1" });
    const result = await http.request<{ hello: string; me: string }>({ query: "{ hello me }" });
    expect(unwrap(result)).toEqual({ hello: "hello world", me: "staff-1" });
    // What wx.request was asked to do: a POST with a JSON string body and the right headers.
    expect(wx.requests[0]).toMatchObject({
      url: server.url,
      method: "POST",
      header: { accept: "application/graphql-response+json, application/json;q=0.9", authorization: "Bearer staff-1" },
      data: JSON.stringify({ query: "{ hello me }" }),
    });
  });

  it("returns data from an in-process handler (yoga.fetch, no port)", async () => {
    const wx = createFakeWx({ fetch: (request) => server.yoga.fetch(request) });
    const http = createWxRequestTransport({ wx, url: "http://yoga/graphql" });
    expect(unwrap(await http.request<{ hello: string }>({ query: "{ hello }" }))).toEqual({ hello: "hello world" });
  });

  it("gives the same typed errors as the fetch transport (401 body, field error)", async () => {
    const http = createWxRequestTransport({ wx: createFakeWx(), url: server.url });
    const unauthenticated = await http.request({ query: "{ me }" });
    expect(unauthenticated.status).toBe(401);
    expect(() => unwrap(unauthenticated)).toThrow(GraphQLResponseError);
    expect(unauthenticated.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const forbidden = await http.request({ query: "{ secret }" });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("maps offline `request:fail` to NetworkError 'unreachable' quoting errMsg", async () => {
    const wx = createFakeWx({ online: false });
    const http = createWxRequestTransport({ wx, url: server.url });
    const error = await http.request({ query: "{ hello }" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ kind: "unreachable" });
    expect((error as Error).message).toBe(
      `Expected a response from POST ${server.url}, but wx.request failed: "request:fail -2:net::ERR_INTERNET_DISCONNECTED"`,
    );
  });

  it("passes its timeout to wx and maps `request:fail timeout`", async () => {
    const calls: number[] = [];
    const wx: WxRequestApi = {
      request: (option) => {
        calls.push(option.timeout ?? -1);
        setTimeout(() => option.fail?.({ errMsg: "request:fail timeout" }), 0);
        return { abort: () => {} };
      },
    };
    const error = await createWxRequestTransport({ wx, url: server.url, timeoutMs: 3_000 })
      .request({ query: "{ hello }" })
      .catch((e: unknown) => e);
    expect(calls).toEqual([3_000]);
    expect(error).toMatchObject({ kind: "timeout" });
  });

  it("aborts the RequestTask through the caller's signal", async () => {
    const http = createWxRequestTransport({ wx: createFakeWx(), url: server.url });
    const controller = new AbortController();
    const pending = http.request({ query: "{ hang }" }, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    expect(await pending).toMatchObject({ kind: "aborted" });
    server.releaseHang();
  });

  it("says what is missing when there is no wx", () => {
    expect(() => createWxRequestTransport({ url: server.url })).toThrow(
      /^Expected a WeChat `wx` object with request\(\), but none was passed and the global wx is undefined/,
    );
  });
});
