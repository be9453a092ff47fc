// push and pull talk to a running gateway through its GraphQL API. Every failure says which:
// the gateway cannot be reached, it refused the key, or it refused what was sent (and why).
import { CliError } from "./command.js";

export const GATEWAY_FLAGS = {
  url: { type: "string" },
  key: { type: "string" },
} as const;

export interface GraphQLIssue {
  path: string;
  message: string;
}

/** An error the gateway returned for an operation (BAD_USER_INPUT …), with its code and issues. */
export class GatewayRequestError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly issues: GraphQLIssue[],
  ) {
    super(message);
    this.name = "GatewayRequestError";
  }
}

export interface GatewayApi {
  url: string;
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

/** --url / SOPLINE_URL (the gateway's address; /graphql is added when no path is given) and --key / SOPLINE_API_KEY. */
export function gatewayApi(command: string, values: { url?: string | undefined; key?: string | undefined }, env: NodeJS.ProcessEnv): GatewayApi {
  const given = values.url ?? env.SOPLINE_URL;
  const key = values.key ?? env.SOPLINE_API_KEY;
  if (!given) throw new CliError(`sopline ${command}: --url <gateway> is required (or SOPLINE_URL), e.g. --url http://localhost:4000/graphql`, 2);
  if (!key) throw new CliError(`sopline ${command}: --key <workspace API key> is required (or SOPLINE_API_KEY)`, 2);
  let endpoint: URL;
  try {
    endpoint = new URL(given);
  } catch {
    throw new CliError(`--url: expected an http(s) URL like http://localhost:4000/graphql, got "${given}"`, 2);
  }
  if (endpoint.protocol !== "http:" && endpoint.protocol !== "https:") throw new CliError(`--url: expected an http(s) URL, got "${given}"`, 2);
  if (endpoint.pathname === "/" || endpoint.pathname === "") endpoint.pathname = "/graphql";
  const url = endpoint.toString();
  return {
    url,
    async request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", authorization: `Bearer ${key}` },
          body: JSON.stringify({ query, variables }),
        });
      } catch (err) {
        throw new CliError(`cannot reach ${url}: ${reasonOf(err)}`);
      }
      const text = await res.text();
      let body: { data?: T | null; errors?: Array<{ message: string; extensions?: { code?: string; issues?: GraphQLIssue[] } }> };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new CliError(`the gateway at ${url} answered HTTP ${res.status} without GraphQL JSON: ${text.slice(0, 200)}`);
      }
      const error = body.errors?.[0];
      if (error) {
        const code = error.extensions?.code;
        if (code === "UNAUTHENTICATED" || code === "FORBIDDEN") throw new CliError(`the gateway at ${url} refused the key (${code}): ${error.message}`);
        throw new GatewayRequestError(error.message, code, error.extensions?.issues ?? []);
      }
      if (!res.ok || !body.data) throw new CliError(`the gateway at ${url} answered HTTP ${res.status} with no data`);
      return body.data;
    },
  };
}

// fetch() says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a TLS error) is its cause.
function reasonOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.message) return cause.message;
  return cause?.code ?? (err as Error).message;
}
