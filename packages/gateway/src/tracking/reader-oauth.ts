/**
 * Who is reading: WeChat web OAuth with scope `snsapi_base` through the configured official
 * account gives the reader's openid without a prompt. A link opened by someone other than the
 * customer it was sent to (a forwarded link) is a share, not the customer's open.
 *   1. GET /t/<token> in WeChat → 302 to open.weixin.qq.com/connect/oauth2/authorize (snsapi_base)
 *   2. WeChat sends the reader back to /t/<token>?code=…&state=sl
 *   3. the gateway exchanges the code at /sns/oauth2/access_token for the openid.
 */
import { WECHAT_BASE_URL } from "../channels/http.js";

export const OAUTH_AUTHORIZE_URL = "https://open.weixin.qq.com/connect/oauth2/authorize";
/** The `state` the gateway sends and expects back. */
export const OAUTH_STATE = "sl";

export interface ReaderOAuth {
  appId: string;
  secret: string;
  fetch?: typeof globalThis.fetch;
  /** Default https://api.weixin.qq.com (a proxy, or a mock in tests). */
  baseUrl?: string;
}

/** The URL that sends a WeChat reader through snsapi_base and back to `returnUrl`. */
export function authorizeUrl(appId: string, returnUrl: string): string {
  const q = new URLSearchParams({ appid: appId, redirect_uri: returnUrl, response_type: "code", scope: "snsapi_base", state: OAUTH_STATE });
  return `${OAUTH_AUTHORIZE_URL}?${q}#wechat_redirect`;
}

/** The reader's openid for an OAuth code, or null when WeChat refuses it (a used or expired code). */
export async function openIdForCode(oauth: ReaderOAuth, code: string): Promise<string | null> {
  const q = new URLSearchParams({ appid: oauth.appId, secret: oauth.secret, code, grant_type: "authorization_code" });
  const fetchFn = oauth.fetch ?? globalThis.fetch;
  try {
    const res = await fetchFn(`${oauth.baseUrl ?? WECHAT_BASE_URL}/sns/oauth2/access_token?${q}`, { method: "GET" });
    if (!res.ok) return null;
    const body = (await res.json()) as { openid?: unknown; errcode?: number };
    return typeof body.openid === "string" && body.openid !== "" && !body.errcode ? body.openid : null;
  } catch {
    // The reader still lands on the page; only who read it stays unknown.
    return null;
  }
}

/** WeChat's in-app browser, not WeCom's (whose UA also says MicroMessenger): only there does snsapi_base work. */
export function isWeChatBrowser(userAgent: string | undefined): boolean {
  if (!userAgent) return false;
  return /MicroMessenger/i.test(userAgent) && !/wxwork/i.test(userAgent);
}
