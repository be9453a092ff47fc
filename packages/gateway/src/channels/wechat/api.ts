/**
 * Typed WeChat calls: official-account customer-service and template messages, mini-program
 * subscribe messages. Validation (window, field rules) happens before any HTTP call; the token
 * comes from the shared provider (refetched once on 40001/40014/42001). No automatic retries.
 */
import type { AccessTokenProvider, TokenCredentials } from "../access-token.js";
import { ChannelError, invalidRequest } from "../errors.js";
import { type FetchLike, requestJson, WECHAT_BASE_URL, withAccessToken } from "../http.js";
import { assertServiceWindowOpen, SERVICE_WINDOW_MS } from "./service-window.js";
import { validateSubscribeData } from "./subscribe-fields.js";
import type { CustomMessage, SubscribeMessage, SubscribeSendResponse, TemplateMessage, TemplateSendResponse } from "./types.js";

/** Dependencies of {@link createWeChatApi}; one instance per appid (OA or mini-program). */
export interface WeChatApiOptions {
  fetch: FetchLike;
  tokens: AccessTokenProvider;
  appId: string;
  secret: string;
  /** Milliseconds since epoch (service-window checks). */
  now: () => number;
  baseUrl?: string;
  serviceWindowMs?: number;
}

/** The WeChat calls sopline uses. */
export interface WeChatApi {
  /**
   * Customer-service message; refuses (ChannelError service_window_closed) unless the follower
   * interacted within the window. `lastInteractionAt` is epoch ms, null when unknown.
   */
  sendCustomMessage(msg: CustomMessage, ctx: { lastInteractionAt: number | null }): Promise<void>;
  /** Template message; returns WeChat's msgid. */
  sendTemplateMessage(msg: TemplateMessage): Promise<TemplateSendResponse>;
  /** Subscribe message; consume the quota (subscribe-quota.ts) before calling. */
  sendSubscribeMessage(msg: SubscribeMessage): Promise<SubscribeSendResponse>;
}

const bad = (field: string, message: string, limit?: number) => invalidRequest("wechat", field, message, limit);

function required(field: string, v: string | undefined): void {
  if (typeof v !== "string" || v.trim() === "") throw bad(field, "is required");
}

/** Validates a customer-service message shape (not the window). */
export function validateCustomMessage(msg: CustomMessage): void {
  required("touser", msg.touser);
  switch (msg.msgtype) {
    case "text":
      return required("text.content", msg.text?.content);
    case "image":
      return required("image.media_id", msg.image?.media_id);
    case "news": {
      const n = msg.news?.articles?.length ?? 0;
      if (n !== 1) throw bad("news.articles", `must contain exactly 1 article, got ${n}`, 1);
      required("news.articles[0].title", msg.news.articles[0].title);
      return required("news.articles[0].url", msg.news.articles[0].url);
    }
    case "miniprogrampage":
      required("miniprogrampage.title", msg.miniprogrampage?.title);
      required("miniprogrampage.appid", msg.miniprogrampage?.appid);
      required("miniprogrampage.pagepath", msg.miniprogrampage?.pagepath);
      return required("miniprogrampage.thumb_media_id", msg.miniprogrampage?.thumb_media_id);
    default:
      throw bad("msgtype", `unsupported msgtype ${JSON.stringify((msg as { msgtype?: unknown }).msgtype)}`);
  }
}

/** Validates a template message shape. */
export function validateTemplateMessage(msg: TemplateMessage): void {
  required("touser", msg.touser);
  required("template_id", msg.template_id);
  const keys = Object.keys(msg.data ?? {});
  if (keys.length === 0) throw bad("data", "must contain at least one keyword");
  for (const k of keys) if (typeof msg.data[k]?.value !== "string") throw bad(`data.${k}.value`, "must be a string");
  if (msg.miniprogram) required("miniprogram.appid", msg.miniprogram.appid);
}

const STATES = new Set(["developer", "trial", "formal"]);
const LANGS = new Set(["zh_CN", "en_US", "zh_HK", "zh_TW"]);

/** Validates a subscribe message: identifiers, enum fields and every data value rule. */
export function validateSubscribeMessage(msg: SubscribeMessage): void {
  required("touser", msg.touser);
  required("template_id", msg.template_id);
  if (msg.miniprogram_state !== undefined && !STATES.has(msg.miniprogram_state)) throw bad("miniprogram_state", "must be developer, trial or formal");
  if (msg.lang !== undefined && !LANGS.has(msg.lang)) throw bad("lang", "must be zh_CN, en_US, zh_HK or zh_TW");
  // Whether the page exists is only known to WeChat (41030); an explicit empty page is our bug.
  if (msg.page !== undefined) required("page", msg.page);
  validateSubscribeData(msg.data ?? {});
}

/** Builds a client bound to one appid. */
export function createWeChatApi(opts: WeChatApiOptions): WeChatApi {
  const base = opts.baseUrl ?? WECHAT_BASE_URL;
  const creds: TokenCredentials = { provider: "wechat", appId: opts.appId, secret: opts.secret };
  const post = <T extends object>(path: string, body: unknown) =>
    opts.tokens.withToken(creds, (token) => requestJson<T>(opts.fetch, "wechat", withAccessToken(base, path, token), { method: "POST", body }));

  return {
    async sendCustomMessage(msg, ctx) {
      validateCustomMessage(msg);
      assertServiceWindowOpen(ctx.lastInteractionAt, opts.now(), opts.serviceWindowMs ?? SERVICE_WINDOW_MS);
      await post("/cgi-bin/message/custom/send", msg);
    },
    async sendTemplateMessage(msg) {
      validateTemplateMessage(msg);
      const body = await post<Partial<TemplateSendResponse>>("/cgi-bin/message/template/send", msg);
      if (body.msgid === undefined) {
        throw new ChannelError({ code: "bad_response", permanent: true, provider: "wechat", message: "template send reply lacks msgid despite errcode 0" });
      }
      return { msgid: body.msgid };
    },
    async sendSubscribeMessage(msg) {
      validateSubscribeMessage(msg);
      const body = await post<SubscribeSendResponse>("/cgi-bin/message/subscribe/send", msg);
      return body.msgid === undefined ? {} : { msgid: body.msgid };
    },
  };
}
