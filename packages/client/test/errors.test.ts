import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  exponentialBackoff,
  GraphQLResponseError,
  interpretHttpResponse,
  NetworkError,
  ProtocolError,
  SoplineClientError,
  toClientError,
  unwrap,
} from "../src/transport/index.js";

describe("GraphQLResponseError", () => {
  it("takes its code from the first error, else the HTTP status, else UNKNOWN", () => {
    expect(new GraphQLResponseError({ errors: [{ message: "m", extensions: { code: "RATE_LIMITED" } }], status: 401 }).code).toBe("RATE_LIMITED");
    expect(new GraphQLResponseError({ errors: [{ message: "m" }], status: 401 }).code).toBe("UNAUTHENTICATED");
    expect(new GraphQLResponseError({ errors: [{ message: "m" }], status: 503 }).code).toBe("INTERNAL");
    expect(new GraphQLResponseError({ errors: [{ message: "m" }] }).code).toBe("UNKNOWN");
  });

  it("is a SoplineClientError, names itself, and finds codes past the first error", () => {
    const e = new GraphQLResponseError({
      errors: [{ message: "bad", extensions: { code: "BAD_USER_INPUT" } }, { message: "missing", extensions: { code: "NOT_FOUND" } }],
    });
    expect(e).toBeInstanceOf(SoplineClientError);
    expect(e.name).toBe("GraphQLResponseError");
    expect(e.hasCode("NOT_FOUND")).toBe(true);
    expect(e.message).toBe("Gateway returned a GraphQL error [BAD_USER_INPUT]: bad (and 1 more)");
  });
});

describe("unwrap", () => {
  it("throws on a result without data or errors", () => {
    expect(() => unwrap({})).toThrow("Expected `data` in the GraphQL response, got neither data nor errors");
  });
});

describe("interpretHttpResponse", () => {
  const url = "https://gw/graphql";
  it("accepts wx's pre-parsed body as well as text", () => {
    expect(interpretHttpResponse({ url, status: 200, contentType: "application/json", body: { data: { a: 1 } } })).toEqual({ data: { a: 1 }, status: 200 });
    expect(interpretHttpResponse({ url, status: 200, contentType: undefined, body: '{"data":{"a":1}}' })).toEqual({ data: { a: 1 }, status: 200 });
  });

  it("rejects JSON that is not a GraphQL response", () => {
    expect(() => interpretHttpResponse({ url, status: 200, contentType: "application/json", body: "[1,2]" })).toThrow(ProtocolError);
    expect(() => interpretHttpResponse({ url, status: 200, contentType: "application/json", body: "" })).toThrow(
      'Expected a GraphQL response (a JSON object with "data" or "errors") from POST https://gw/graphql, got HTTP 200 (application/json): empty body',
    );
  });

  it("treats a non-2xx GraphQL body without errors as an HTTP failure", () => {
    expect(() => interpretHttpResponse({ url, status: 500, contentType: "application/json", body: { data: null } })).toThrow(NetworkError);
  });
});

describe("toClientError (what graphql-ws hands a sink)", () => {
  it("maps GraphQL error arrays, close codes, internal errors and error events", () => {
    expect(toClientError([{ message: "no", extensions: { code: "FORBIDDEN" } }])).toMatchObject({ name: "GraphQLResponseError", code: "FORBIDDEN" });
    expect(toClientError({ code: 4403, reason: "Forbidden" })).toMatchObject({ name: "GraphQLResponseError", code: "FORBIDDEN" });
    expect(toClientError({ code: 4406, reason: "Subprotocol not acceptable" })).toMatchObject({ name: "ProtocolError", closeCode: 4406 });
    expect(toClientError({ code: 1006, reason: "" })).toMatchObject({ name: "NetworkError", kind: "closed", closeCode: 1006 });
    expect(toClientError(new Error("First message cannot be of type next"))).toBeInstanceOf(ProtocolError);
    expect(toClientError({ type: "error", message: "net down" })).toMatchObject({ name: "NetworkError", kind: "unreachable" });
  });
});

describe("backoff", () => {
  it("grows exponentially up to the cap, jittered into the upper half", () => {
    const at = (random: number) => [0, 1, 2, 3, 10].map((n) => backoffDelay(n, { baseMs: 100, maxMs: 1_000, random: () => random }));
    expect(at(0)).toEqual([50, 100, 200, 400, 500]);
    expect(at(0.999999)).toEqual([100, 200, 400, 800, 1_000]);
  });

  it("sleeps through the injected sleep", async () => {
    const slept: number[] = [];
    const wait = exponentialBackoff({ baseMs: 1_000, random: () => 0.5, sleep: async (ms) => void slept.push(ms) });
    await wait(0);
    await wait(2);
    expect(slept).toEqual([750, 3_000]);
  });
});
