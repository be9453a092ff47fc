/**
 * Where the bearer token comes from: a fixed string, or a function asked before every request and
 * every (re)connection, so a refreshed token is picked up without rebuilding the transport.
 */
export type TokenSource = string | (() => string | null | undefined | Promise<string | null | undefined>);

/** The current token, or `undefined` when there is none (empty strings count as none). */
export async function resolveToken(source: TokenSource | undefined): Promise<string | undefined> {
  const token = typeof source === "function" ? await source() : source;
  return token ? token : undefined;
}

/** `Authorization` header value for a token. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}
