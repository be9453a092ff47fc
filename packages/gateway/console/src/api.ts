// The console's one connection to the gateway: @sopline/client on the same origin (/graphql over
// HTTP, graphql-ws on the same path), with the admin key or a staff token the operator signed in with.
import { createClient, GraphQLResponseError, SoplineClientError, type SoplineClient } from "@sopline/client";

const TOKEN_KEY = "sopline.console.token";

export const graphqlUrl = () => new URL("../graphql", location.href).href;

export function makeClient(token: string): SoplineClient {
  return createClient({ url: graphqlUrl(), token, retryAttempts: 3 });
}

export const savedToken = () => sessionStorage.getItem(TOKEN_KEY);
export const saveToken = (token: string | null) => (token === null ? sessionStorage.removeItem(TOKEN_KEY) : sessionStorage.setItem(TOKEN_KEY, token));

/** What an error shows: the API's message and code (never a bare "failed"). */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof GraphQLResponseError) {
    const first = error.errors[0];
    const issues = error.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    return { code: String(error.code), message: (first?.message ?? error.message) + (issues ? ` — ${issues}` : "") };
  }
  if (error instanceof SoplineClientError) return { code: error.name, message: error.message };
  if (error instanceof Error) return { code: error.name, message: error.message };
  return { code: "UNKNOWN", message: String(error) };
}
