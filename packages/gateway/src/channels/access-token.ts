/**
 * Access-token cache for WeCom (`/cgi-bin/gettoken`) and WeChat (`/cgi-bin/token`).
 *
 * Why the care: both platforms rate-limit token fetches, and a WeChat token fetch invalidates the
 * previous token, so N workers refreshing at once make each other's tokens stale. Hence:
 * cache until expiry minus a margin, single-flight refresh per credential, and on an
 * "invalid/expired token" reply invalidate only the token that failed and refetch once.
 */
import { createHash } from "node:crypto";
import { ChannelError, type ChannelProvider, isChannelError } from "./errors.js";
import { type FetchLike, requestJson, WECHAT_BASE_URL, WECOM_BASE_URL } from "./http.js";

/** Credentials of one WeCom app (corp id + that app's secret) or one WeChat app (OA / mini-program). */
export type TokenCredentials =
  | { provider: "wecom"; corpId: string; secret: string }
  | { provider: "wechat"; appId: string; secret: string };

/** Dependencies and tuning of {@link createAccessTokenProvider}. */
export interface AccessTokenProviderOptions {
  fetch: FetchLike;
  /** Milliseconds since epoch. */
  now: () => number;
  /** Refresh this long before the announced expiry (default 5 minutes). */
  safetyMarginMs?: number;
  wecomBaseUrl?: string;
  wechatBaseUrl?: string;
}

/** Hands out access tokens and runs calls with automatic one-shot refresh. */
export interface AccessTokenProvider {
  /** A valid token, from cache or from one shared fetch. */
  get(creds: TokenCredentials): Promise<string>;
  /** Drops `token` from the cache if it is still the cached one (a newer token is kept). */
  invalidate(creds: TokenCredentials, token: string): void;
  /** Runs `call` with a token; if the platform rejects the token, refetches once and retries once. */
  withToken<T>(creds: TokenCredentials, call: (token: string) => Promise<T>): Promise<T>;
}

interface CachedToken {
  token: string;
  /** Epoch ms after which the token is no longer handed out. */
  refreshAt: number;
}

interface TokenReply {
  access_token?: string;
  expires_in?: number;
}

// WeCom: 40014 invalid, 42001 expired. WeChat additionally answers 40001 when a newer token exists.
const TOKEN_REJECTED: Record<ChannelProvider, ReadonlySet<number>> = {
  wecom: new Set([40014, 42001]),
  wechat: new Set([40001, 40014, 42001]),
};

/** True when `e` says the access token itself was rejected (so a refetch can help). */
export function isTokenRejected(e: unknown): boolean {
  return isChannelError(e) && typeof e.code === "number" && TOKEN_REJECTED[e.provider].has(e.code);
}

/** Cache key; the secret is hashed so keys can be logged without leaking it. */
function cacheKey(creds: TokenCredentials): string {
  const id = creds.provider === "wecom" ? creds.corpId : creds.appId;
  const secretHash = createHash("sha256").update(creds.secret).digest("hex").slice(0, 16);
  return `${creds.provider}:${id}:${secretHash}`;
}

/** Creates a token provider; keep one per process so the single-flight covers every caller. */
export function createAccessTokenProvider(opts: AccessTokenProviderOptions): AccessTokenProvider {
  const margin = opts.safetyMarginMs ?? 5 * 60_000;
  const cache = new Map<string, CachedToken>();
  const inflight = new Map<string, Promise<string>>();

  async function fetchToken(creds: TokenCredentials): Promise<CachedToken> {
    const startedAt = opts.now(); // expiry counts from before the request: conservative
    const url =
      creds.provider === "wecom"
        ? `${opts.wecomBaseUrl ?? WECOM_BASE_URL}/cgi-bin/gettoken?corpid=${encodeURIComponent(creds.corpId)}&corpsecret=${encodeURIComponent(creds.secret)}`
        : `${opts.wechatBaseUrl ?? WECHAT_BASE_URL}/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(creds.appId)}&secret=${encodeURIComponent(creds.secret)}`;
    const body = await requestJson<TokenReply>(opts.fetch, creds.provider, url, { method: "GET" });
    if (typeof body.access_token !== "string" || body.access_token === "" || typeof body.expires_in !== "number") {
      throw new ChannelError({ code: "bad_response", permanent: false, provider: creds.provider, message: `${creds.provider} token reply lacks access_token/expires_in` });
    }
    // Never cache for less than zero; a tiny expires_in just means "use once".
    const refreshAt = startedAt + Math.max(0, body.expires_in * 1000 - margin);
    return { token: body.access_token, refreshAt };
  }

  function get(creds: TokenCredentials): Promise<string> {
    const key = cacheKey(creds);
    const hit = cache.get(key);
    if (hit && opts.now() < hit.refreshAt) return Promise.resolve(hit.token);
    const pending = inflight.get(key);
    if (pending) return pending;
    const p = fetchToken(creds)
      .then((t) => {
        cache.set(key, t);
        return t.token;
      })
      .finally(() => inflight.delete(key));
    inflight.set(key, p);
    return p;
  }

  function invalidate(creds: TokenCredentials, token: string): void {
    const key = cacheKey(creds);
    if (cache.get(key)?.token === token) cache.delete(key);
  }

  async function withToken<T>(creds: TokenCredentials, call: (token: string) => Promise<T>): Promise<T> {
    const token = await get(creds);
    try {
      return await call(token);
    } catch (e) {
      if (!isTokenRejected(e)) throw e;
      invalidate(creds, token);
      return call(await get(creds)); // exactly one retry; a second rejection propagates
    }
  }

  return { get, invalidate, withToken };
}
