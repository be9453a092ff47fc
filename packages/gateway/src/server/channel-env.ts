import type { ChannelOptions } from "./channels.js";

/**
 * Channel credentials from the environment, all optional:
 * WECOM_CORP_ID, WECOM_SECRET, WECOM_TOKEN, WECOM_AES_KEY (callback token and EncodingAESKey),
 * WECOM_DEFAULT_JOURNEY; WECHAT_OA_APP_ID / WECHAT_OA_SECRET (official account), WECHAT_OA_TOKEN /
 * WECHAT_OA_AES_KEY / WECHAT_OA_DEFAULT_JOURNEY (its message push at /wechat/callback);
 * WECHAT_MP_APP_ID / WECHAT_MP_SECRET (mini-program). A partly configured corp is an error naming
 * what is missing, not a silently disabled channel.
 */
export function channelOptionsFromEnv(env: NodeJS.ProcessEnv): ChannelOptions {
  const out: ChannelOptions = {};
  const wecom = ["WECOM_CORP_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY"] as const;
  const set = wecom.filter((k) => env[k]);
  if (set.length > 0 && set.length < wecom.length) {
    throw new Error(`WeCom is partly configured: set ${wecom.filter((k) => !env[k]).join(", ")} too (or none of ${wecom.join(", ")})`);
  }
  if (set.length === wecom.length) {
    out.wecom = {
      corpId: env.WECOM_CORP_ID!,
      secret: env.WECOM_SECRET!,
      token: env.WECOM_TOKEN!,
      encodingAesKey: env.WECOM_AES_KEY!,
      ...(env.WECOM_DEFAULT_JOURNEY ? { defaultJourney: env.WECOM_DEFAULT_JOURNEY } : {}),
    };
  }
  const app = (id: string, secret: string) => {
    if (!env[id] !== !env[secret]) throw new Error(`set both ${id} and ${secret}, or neither`);
    return env[id] ? { appId: env[id]!, secret: env[secret]! } : undefined;
  };
  const oa = app("WECHAT_OA_APP_ID", "WECHAT_OA_SECRET");
  const mp = app("WECHAT_MP_APP_ID", "WECHAT_MP_SECRET");
  if (oa) {
    out.officialAccount = {
      ...oa,
      ...(env.WECHAT_OA_TOKEN ? { token: env.WECHAT_OA_TOKEN } : {}),
      ...(env.WECHAT_OA_AES_KEY ? { encodingAesKey: env.WECHAT_OA_AES_KEY } : {}),
      ...(env.WECHAT_OA_DEFAULT_JOURNEY ? { defaultJourney: env.WECHAT_OA_DEFAULT_JOURNEY } : {}),
    };
  }
  if (mp) out.miniProgram = mp;
  return out;
}
