/**
 * The GraphQL-over-HTTP rules shared by the fetch and wx.request transports, so both behave
 * identically: how a request body is written, and how a response is read.
 *
 * Reading follows the spec:
 * with `application/graphql-response+json` the gateway may answer 4xx/5xx with a GraphQL body
 * (e.g. 401 + UNAUTHENTICATED), which is still a GraphQL response, not a network failure.
 */
import type { GraphQLErrorPayload } from "./errors.js";
import { NetworkError, ProtocolError } from "./errors.js";
import type { GraphQLOperation, GraphQLResult } from "./types.js";

/** GraphQL over HTTP's media type first, plain JSON (q=0.9) for older servers. */
export const GRAPHQL_ACCEPT = "application/graphql-response+json, application/json;q=0.9";

/** The JSON body of a GraphQL-over-HTTP POST (undefined fields are dropped by JSON.stringify). */
export function serializeOperation(operation: GraphQLOperation<unknown>): string {
  const { query, variables, operationName, extensions } = operation;
  return JSON.stringify({ query, variables, operationName, extensions });
}

/** An HTTP response reduced to what {@link interpretHttpResponse} needs. */
export interface RawHttpResponse {
  /** Request URL, for messages. */
  readonly url: string;
  readonly status: number;
  readonly contentType: string | undefined;
  /** The body as text, or already JSON-parsed (wx.request with `dataType: "json"` parses for us). */
  readonly body: unknown;
}

const NOT_JSON = Symbol("not json");

/** The GraphQL result in `raw`, or a thrown `NetworkError` (kind `"http"`) / `ProtocolError`. */
export function interpretHttpResponse(raw: RawHttpResponse): GraphQLResult {
  const parsed = parseBody(raw.body);
  const ok = raw.status >= 200 && raw.status < 300;
  if (isGraphQLResponse(parsed) && (ok || (parsed.errors?.length ?? 0) > 0)) {
    return {
      ...(parsed.data === undefined ? {} : { data: parsed.data }),
      ...(parsed.errors && parsed.errors.length > 0 ? { errors: parsed.errors } : {}),
      ...(parsed.extensions === undefined ? {} : { extensions: parsed.extensions }),
      status: raw.status,
    };
  }
  const got = `HTTP ${raw.status} (${raw.contentType ?? "no content-type"}): ${preview(raw.body)}`;
  if (!ok) {
    throw new NetworkError({
      kind: "http",
      status: raw.status,
      message: `Expected a GraphQL response from POST ${raw.url}, got ${got}`,
    });
  }
  throw new ProtocolError({
    status: raw.status,
    message: `Expected a GraphQL response (a JSON object with "data" or "errors") from POST ${raw.url}, got ${got}`,
  });
}

interface GraphQLResponseBody {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLErrorPayload[];
  extensions?: Record<string, unknown>;
}

function parseBody(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body);
  } catch {
    return NOT_JSON;
  }
}

function isGraphQLResponse(value: unknown): value is GraphQLResponseBody {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const errorsOk =
    v.errors === undefined ||
    (Array.isArray(v.errors) &&
      v.errors.every((e) => typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string"));
  const dataOk = v.data === undefined || v.data === null || (typeof v.data === "object" && !Array.isArray(v.data));
  return errorsOk && dataOk && ("data" in v || Array.isArray(v.errors));
}

function preview(body: unknown): string {
  const text = typeof body === "string" ? body : safeStringify(body);
  const oneLine = text.replace(/\s+/g, " ").trim();
  if (oneLine === "") return "empty body";
  return JSON.stringify(oneLine.length > 120 ? `${oneLine.slice(0, 120)}…` : oneLine);
}

function safeStringify(value: unknown): string {
  if (value instanceof ArrayBuffer) return `<ArrayBuffer ${value.byteLength} bytes>`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
