/**
 * How a content library entry's `body` becomes a WeCom / WeChat message. One body can serve several
 * channels:
 *   "plain text"                                  → text everywhere
 *   { text, attachments }                         → WeCom welcome / 群发助手 (attachments as documented)
 *   { moment: { text, attachments } }             → Moments (else text)
 *   { customMessage: {...} }                      → official-account customer-service message (else text)
 *   { template: { template_id, data, url? } }     → official-account template message (outside 48 h)
 *   { subscribe: { template_id, data, page? } }   → mini-program subscribe message
 */
import { createHash } from "node:crypto";
import type { CustomMessage, TemplateMessage, SubscribeMessage } from "../channels/wechat/types.js";
import type { MomentAttachment, WeComAttachment, WeComText } from "../channels/wecom/types.js";
import { DeliveryError } from "../delivery/errors.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Content that cannot be sent on this channel: permanent, naming the ref and what is missing. */
export function contentError(ref: string | null, message: string): DeliveryError {
  return new DeliveryError({ code: "content_invalid", permanent: true, message: `content ${JSON.stringify(ref)}: ${message}` });
}

function text(body: unknown): string | undefined {
  if (typeof body === "string") return body;
  return isObj(body) && typeof body["text"] === "string" ? body["text"] : undefined;
}

/** text + attachments of a welcome or 群发助手 message. */
export function weComMessage(ref: string | null, body: unknown): { text?: WeComText; attachments?: WeComAttachment[] } {
  if (body === undefined || body === null) throw contentError(ref, "not found in the content library");
  const t = text(body);
  const attachments = isObj(body) && Array.isArray(body["attachments"]) ? (body["attachments"] as WeComAttachment[]) : undefined;
  if (t === undefined && !attachments?.length) throw contentError(ref, "needs `text` or `attachments` for WeCom");
  return { ...(t !== undefined ? { text: { content: t } } : {}), ...(attachments?.length ? { attachments } : {}) };
}

/** text + attachments of a Moments post. */
export function momentMessage(ref: string | null, body: unknown): { text?: WeComText; attachments?: MomentAttachment[] } {
  if (body === undefined || body === null) throw contentError(ref, "not found in the content library");
  const m = isObj(body) && isObj(body["moment"]) ? body["moment"] : body;
  const t = text(m);
  const attachments = isObj(m) && Array.isArray(m["attachments"]) ? (m["attachments"] as MomentAttachment[]) : undefined;
  if (t === undefined && !attachments?.length) throw contentError(ref, "needs `moment.text`, `text` or `moment.attachments` for Moments");
  return { ...(t !== undefined ? { text: { content: t } } : {}), ...(attachments?.length ? { attachments } : {}) };
}

/** Customer-service message for `touser`, or undefined when the body has neither customMessage nor text. */
export function customMessage(touser: string, body: unknown): CustomMessage | undefined {
  if (isObj(body) && isObj(body["customMessage"])) return { ...(body["customMessage"] as Omit<CustomMessage, "touser">), touser } as CustomMessage;
  const t = text(body);
  return t === undefined ? undefined : { touser, msgtype: "text", text: { content: t } };
}

/** Template message for `touser`, or undefined when the body configures none. */
export function templateMessage(touser: string, body: unknown, clientMsgId: string): TemplateMessage | undefined {
  if (!isObj(body) || !isObj(body["template"])) return undefined;
  // client_msg_id (a hash of the delivery key: keys can be long) makes WeChat drop a repeat of the
  // same delivery, since the worker is at-least-once.
  return { ...(body["template"] as Omit<TemplateMessage, "touser">), touser, client_msg_id: createHash("sha1").update(clientMsgId).digest("hex") };
}

/** Subscribe message for `touser`; throws when the body configures none. */
export function subscribeMessage(ref: string | null, touser: string, body: unknown): SubscribeMessage {
  if (!isObj(body) || !isObj(body["subscribe"])) throw contentError(ref, "needs `subscribe: { template_id, data }` for a mini-program subscribe message");
  return { ...(body["subscribe"] as Omit<SubscribeMessage, "touser">), touser };
}

/** One JS-SDK `wx.invoke("sendChatMessage", payload)` call of the chat toolbar (WeCom path 94677). */
export type ChatToolbarMessage = { msgtype: "text"; enterChat: true; text: { content: string } } | { msgtype: string; enterChat: true; [k: string]: unknown };

/**
 * The content of a chat task as `sendChatMessage` payloads, in sending order (one call each): the
 * text, then each attachment — link → news card, miniprogram → mini-program card, image / video /
 * file → by media id. `{ chatMessages: [...] }` in the body is taken as written. Throws
 * content_invalid when the body has nothing to send.
 */
export function chatToolbarMessages(ref: string | null, body: unknown): ChatToolbarMessage[] {
  if (body === undefined || body === null) throw contentError(ref, "not found in the content library");
  if (isObj(body) && Array.isArray(body["chatMessages"])) return (body["chatMessages"] as Obj[]).map((m) => ({ enterChat: true, ...m }) as ChatToolbarMessage);
  const out: ChatToolbarMessage[] = [];
  const t = text(body);
  if (t !== undefined) out.push({ msgtype: "text", enterChat: true, text: { content: t } });
  const attachments = isObj(body) && Array.isArray(body["attachments"]) ? (body["attachments"] as Obj[]) : [];
  attachments.forEach((a, i) => {
    const kind = a["msgtype"];
    const part = isObj(a[String(kind)]) ? (a[String(kind)] as Obj) : {};
    if (kind === "link") out.push({ msgtype: "news", enterChat: true, news: { link: part["url"], title: part["title"], desc: part["desc"] ?? "", imgUrl: part["picurl"] ?? "" } });
    else if (kind === "miniprogram") out.push({ msgtype: "miniprogram", enterChat: true, miniprogram: { appid: part["appid"], title: part["title"], imgUrl: part["pic_url"] ?? part["imgUrl"] ?? "", page: part["page"] } });
    else if (kind === "image" || kind === "video" || kind === "file") out.push({ msgtype: kind, enterChat: true, [kind]: { mediaid: part["media_id"] } });
    else throw contentError(ref, `attachments[${i}]: msgtype ${JSON.stringify(kind)} cannot be sent from the chat toolbar (link, miniprogram, image, video, file)`);
  });
  if (out.length === 0) throw contentError(ref, "needs `text` or `attachments` for a chat message");
  return out;
}
