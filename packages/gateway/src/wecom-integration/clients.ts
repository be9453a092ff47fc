import { createAccessTokenProvider, type AccessTokenProvider } from "../channels/access-token.js";
import type { FetchLike } from "../channels/http.js";
import type { RetryPolicy } from "../channels/retry.js";
import { createWeChatApi, type WeChatApi } from "../channels/wechat/api.js";
import { createWeComApi, type WeComApi } from "../channels/wecom/api.js";
import type { Clock } from "../clock.js";

/** One API client for every workspace, or a lookup per workspace (one corp / app per workspace). */
export type PerWorkspace<T extends object> = T | ((workspaceId: string) => T | undefined);

/** Resolves a {@link PerWorkspace} value; undefined when the workspace has none. */
export function forWorkspace<T extends object>(value: PerWorkspace<T>, workspaceId: string): T | undefined {
  return typeof value === "function" ? (value as (id: string) => T | undefined)(workspaceId) : value;
}

export interface ChannelClientsOptions {
  fetch?: FetchLike;
  clock: Clock;
  /** The customer-contact app of the corp. */
  wecom?: { corpId: string; secret: string };
  officialAccount?: { appId: string; secret: string };
  miniProgram?: { appId: string; secret: string };
  wecomBaseUrl?: string;
  wechatBaseUrl?: string;
  /** Backoff for idempotent WeCom reads (get_groupmsg_send_result); the wait is injected. */
  readRetry?: RetryPolicy;
}

export interface ChannelClients {
  /** One token cache for all of them: single-flight per corp / app. */
  tokens: AccessTokenProvider;
  wecom?: WeComApi;
  officialAccount?: WeChatApi;
  miniProgram?: WeChatApi;
}

/**
 * Builds the WeCom / WeChat clients of one corp around ONE shared access-token provider (create it
 * once per process: its single-flight is what keeps N concurrent sends to one token fetch).
 */
export function createChannelClients(options: ChannelClientsOptions): ChannelClients {
  const fetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = () => options.clock().getTime();
  const tokens = createAccessTokenProvider({
    fetch,
    now,
    ...(options.wecomBaseUrl ? { wecomBaseUrl: options.wecomBaseUrl } : {}),
    ...(options.wechatBaseUrl ? { wechatBaseUrl: options.wechatBaseUrl } : {}),
  });
  const wechat = (app: { appId: string; secret: string }) =>
    createWeChatApi({ fetch, tokens, now, appId: app.appId, secret: app.secret, ...(options.wechatBaseUrl ? { baseUrl: options.wechatBaseUrl } : {}) });
  return {
    tokens,
    ...(options.wecom
      ? {
          wecom: createWeComApi({
            fetch,
            tokens,
            corpId: options.wecom.corpId,
            secret: options.wecom.secret,
            ...(options.wecomBaseUrl ? { baseUrl: options.wecomBaseUrl } : {}),
            ...(options.readRetry ? { retry: options.readRetry } : {}),
          }),
        }
      : {}),
    ...(options.officialAccount ? { officialAccount: wechat(options.officialAccount) } : {}),
    ...(options.miniProgram ? { miniProgram: wechat(options.miniProgram) } : {}),
  };
}
