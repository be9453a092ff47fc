/**
 * The two WeChat APIs this server calls: an access token (cached until shortly before expiry,
 * one request at a time) and the customer-service message (客服消息), which reaches a follower
 * for 48 hours after their last message: used for content beyond the one passive reply.
 */

/** Options of {@link createWeChatApi}. */
export interface WeChatApiOptions {
  appId: string;
  appSecret: string;
  /** Default https://api.weixin.qq.com. */
  baseUrl?: string;
  fetch?: typeof fetch;
  now?: () => number;
}

/** An error code WeChat answered with (e.g. 45015: outside the 48 h window). */
export class WeChatApiError extends Error {
  constructor(
    readonly errcode: number,
    errmsg: string,
    path: string,
  ) {
    super(`WeChat ${path} answered errcode ${errcode}: ${errmsg}`);
    this.name = "WeChatApiError";
  }
}

/**
 * Creates the API.
 *
 * @example
 * const wechat = createWeChatApi({ appId, appSecret });
 * await wechat.sendText(openid, "欢迎关注！");
 */
export function createWeChatApi(options: WeChatApiOptions) {
  const base = options.baseUrl ?? "https://api.weixin.qq.com";
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function call(path: string, init?: RequestInit): Promise<Record<string, unknown>> {
    const body = (await (await fetchImpl(`${base}${path}`, init)).json()) as Record<string, unknown>;
    if (typeof body.errcode === "number" && body.errcode !== 0) throw new WeChatApiError(body.errcode, String(body.errmsg), path.split("?")[0]!);
    return body;
  }

  async function accessToken(): Promise<string> {
    if (cached && now() < cached.expiresAt) return cached.token;
    pending ??= (async () => {
      const query = new URLSearchParams({ grant_type: "client_credential", appid: options.appId, secret: options.appSecret });
      const body = await call(`/cgi-bin/token?${query}`);
      // Refresh 5 minutes early: a token used at its last second may already be gone.
      cached = { token: String(body.access_token), expiresAt: now() + (Number(body.expires_in) - 300) * 1000 };
      return cached.token;
    })().finally(() => (pending = undefined));
    return pending;
  }

  return {
    accessToken,
    /** Sends a customer-service text message. */
    async sendText(openid: string, content: string): Promise<void> {
      const token = await accessToken();
      await call(`/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ touser: openid, msgtype: "text", text: { content } }),
      });
    },
  };
}

/** The API as the server uses it. */
export type WeChatApi = ReturnType<typeof createWeChatApi>;
