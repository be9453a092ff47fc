/**
 * Request/response shapes of the official-account and mini-program message APIs, field names as
 * documented.
 */

/** Customer-service message (/cgi-bin/message/custom/send); the 48 h window applies. */
export type CustomMessage = { touser: string; customservice?: { kf_account: string } } & (
  | { msgtype: "text"; text: { content: string } }
  | { msgtype: "image"; image: { media_id: string } }
  /** Since 2018 a news message carries exactly one article. */
  | { msgtype: "news"; news: { articles: [{ title: string; description?: string; url: string; picurl?: string }] } }
  | { msgtype: "miniprogrampage"; miniprogrampage: { title: string; appid: string; pagepath: string; thumb_media_id: string } }
);

/** Template message (/cgi-bin/message/template/send): service notices only, never marketing. */
export interface TemplateMessage {
  touser: string;
  template_id: string;
  url?: string;
  miniprogram?: { appid: string; pagepath?: string };
  /** Dedupe id: WeChat drops a second send with the same (openid, client_msg_id). */
  client_msg_id?: string;
  data: Record<string, { value: string; color?: string }>;
}

/** Reply of template send. */
export interface TemplateSendResponse {
  msgid: number;
}

/** Mini-program subscribe message (/cgi-bin/message/subscribe/send). */
export interface SubscribeMessage {
  touser: string;
  template_id: string;
  /** Page opened on tap, e.g. "pages/index/index?foo=bar"; 41030 if it does not exist. */
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state?: "developer" | "trial" | "formal";
  lang?: "zh_CN" | "en_US" | "zh_HK" | "zh_TW";
}

/** Reply of subscribe send (msgid is returned in practice, not always documented). */
export interface SubscribeSendResponse {
  msgid?: number | string;
}
