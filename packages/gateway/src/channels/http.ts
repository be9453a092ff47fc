/**
 * JSON transport shared by the WeCom and WeChat clients: one place that turns network failures,
 * HTTP statuses and `errcode` bodies into {@link ChannelError}s.
 */
import { type ChannelProvider, classifyErrcode, classifyHttpStatus, ChannelError, networkError } from "./errors.js";

/** The subset of `fetch` the channel modules use; inject it so tests and the gateway control I/O. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Every WeChat / WeCom JSON reply carries these (WeChat omits them on some successes). */
export interface ErrcodeBody {
  errcode?: number;
  errmsg?: string;
}

/** Default hosts; overridable for proxies. */
export const WECOM_BASE_URL = "https://qyapi.weixin.qq.com";
export const WECHAT_BASE_URL = "https://api.weixin.qq.com";

/**
 * Performs a request and returns the parsed JSON body when `errcode` is absent or 0.
 * Throws ChannelError otherwise (network → transient, 5xx → transient, errcode → classified).
 */
export async function requestJson<T extends object>(
  fetch: FetchLike,
  provider: ChannelProvider,
  url: string,
  init: { method: "GET" } | { method: "POST"; body: unknown },
): Promise<T & ErrcodeBody> {
  let res: Response;
  try {
    res =
      init.method === "GET"
        ? await fetch(url, { method: "GET" })
        : await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(init.body),
          });
  } catch (e) {
    throw networkError(provider, e);
  }
  const text = await res.text().catch(() => "");
  if (!res.ok) throw classifyHttpStatus(provider, res.status, text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // A 200 with a non-JSON body is what gateways/proxies return when they are unwell.
    throw new ChannelError({ code: "bad_response", permanent: false, provider, message: `${provider} returned non-JSON: ${text.slice(0, 120)}` });
  }
  if (typeof parsed !== "object" || parsed === null) {
    throw new ChannelError({ code: "bad_response", permanent: false, provider, message: `${provider} returned a non-object body` });
  }
  const body = parsed as T & ErrcodeBody;
  if (typeof body.errcode === "number" && body.errcode !== 0) throw classifyErrcode(provider, body.errcode, body.errmsg);
  return body;
}

/** Builds `base + path?access_token=...` with proper escaping. */
export function withAccessToken(base: string, path: string, token: string): string {
  return `${base}${path}?access_token=${encodeURIComponent(token)}`;
}
