/**
 * `createStaffSession`: keeps a mini-program's staff token fresh without the user doing anything.
 * Its `token` is a TokenSource for `createWxClient` / `createClient`: asked before every request
 * and every socket (re)connection, it renews the access token with the refresh token shortly
 * before it expires — one refresh at a time, because a refresh token works once.
 */
import type { SoplineClient } from "./sopline-client.js";

/** What a session holds: the fields of `issueStaffToken` / `refreshStaffToken` it needs. */
export interface StaffTokenPair {
  /** The session id (for `revokeStaffToken`). */
  id: string;
  token: string;
  /** ISO time the access token expires (gateway clock). */
  expiresAt: string;
  /** Seconds the access token had left when issued: measured on the device, so a wrong device clock does not matter. */
  expiresIn?: number;
  refreshToken: string;
  refreshExpiresAt: string;
}

/** Options of {@link createStaffSession}. */
export interface StaffSessionOptions {
  /** The pair from `issueStaffToken` (through your server) or one kept in storage. */
  initial: StaffTokenPair;
  /** A client WITHOUT a token (its requests must not wait for this session): `createWxClient({ url })`. */
  client: Pick<SoplineClient, "refreshStaffToken">;
  /** Called with every renewed pair: keep it (e.g. `wx.setStorageSync`) to survive a restart. */
  onRefresh?: (pair: StaffTokenPair) => void;
  /** Renew this long before expiry (default 60 000 ms). */
  marginMs?: number;
  /** The device clock (default `Date.now`). */
  now?: () => number;
}

/** A staff session: pass `token` as the client's token. */
export interface StaffSession {
  /** The current access token, renewed first when it is about to expire. Rejects when renewing fails (sign in again). */
  token(): Promise<string>;
  /** The current pair (after any renewal). */
  current(): StaffTokenPair;
}

/**
 * @example
 * import { createStaffSession, createWxClient } from "@sopline/client/wx";
 * const session = createStaffSession({
 *   initial: wx.getStorageSync("staffToken"), // from issueStaffToken, via your server
 *   client: createWxClient({ url }),
 *   onRefresh: (pair) => wx.setStorageSync("staffToken", pair),
 * });
 * const client = createWxClient({ url, token: session.token });
 */
export function createStaffSession(options: StaffSessionOptions): StaffSession {
  const now = options.now ?? Date.now;
  const margin = options.marginMs ?? 60_000;
  let pair = options.initial;
  let deadline = deadlineOf(pair, now());
  let refreshing: Promise<string> | undefined;

  const renew = () =>
    (refreshing ??= (async () => {
      try {
        const next = await options.client.refreshStaffToken(pair.refreshToken);
        pair = next;
        deadline = deadlineOf(next, now());
        options.onRefresh?.(next);
        return next.token;
      } finally {
        refreshing = undefined;
      }
    })());

  return {
    token: async () => (refreshing ? refreshing : now() < deadline - margin ? pair.token : renew()),
    current: () => pair,
  };
}

/** When the access token expires by the device clock (from `expiresIn` when known). */
function deadlineOf(pair: StaffTokenPair, at: number): number {
  return pair.expiresIn !== undefined ? at + pair.expiresIn * 1000 : Date.parse(pair.expiresAt);
}
