/**
 * The official account's message push (消息推送): URL verification, signed POSTs in plaintext or
 * safe mode (encrypt_type=aes), and the follow events (WECHAT.md "Official account follow / unfollow").
 * Plaintext: signature = sha1(sorted([token, timestamp, nonce]).join("")). Safe mode: the WeCom
 * scheme (callback-crypto.ts) with the appId as ReceiveId.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { BadSignatureError, MalformedCallbackError } from "../wecom/callback-errors.js";
import { type SealOptions, openCallback, sealCallback } from "../wecom/callback-crypto.js";
import type { ReplayGuard } from "../wecom/replay-guard.js";
import { buildWeComXml, parseWeComXml, textField, type XmlFields } from "../wecom/xml.js";

/** What the official account's 基本配置 › 服务器配置 shows. */
export interface PushConfig {
  appId: string;
  token: string;
  /** Safe mode only: 43 characters of base64. */
  encodingAesKey?: string;
}

export type PushQuery = Record<string, string | null | undefined>;

/** A follow-related push: `scene` is the parameter of a 带参数二维码 (qrscene_… on subscribe). */
export type FollowEvent =
  | { type: "subscribe" | "scan"; openid: string; account: string; createTime: number; scene?: string }
  | { type: "unsubscribe"; openid: string; account: string; createTime: number };

/** sha1 hex of the sorted concatenation (plaintext-mode signature). */
export function signPush(token: string, timestamp: string, nonce: string): string {
  return createHash("sha1").update([token, timestamp, nonce].sort().join("")).digest("hex");
}

function checkPlainSignature(token: string, query: PushQuery): { timestamp: string; nonce: string; signature: string } {
  const { signature, timestamp, nonce } = query;
  if (!signature || !timestamp || !nonce) throw new MalformedCallbackError("signature, timestamp and nonce are required");
  const expected = Buffer.from(signPush(token, timestamp, nonce), "utf8");
  const got = Buffer.from(signature.toLowerCase(), "utf8");
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw new BadSignatureError("signature does not match");
  return { signature, timestamp, nonce };
}

/** GET verification: the `echostr` to echo back when the signature holds. */
export function verifyPushUrl(config: PushConfig, query: PushQuery): string {
  checkPlainSignature(config.token, query);
  if (!query.echostr) throw new MalformedCallbackError("echostr is required");
  return query.echostr;
}

/** Verifies (and in safe mode decrypts) a POST: its message's fields. Throws a CallbackError. */
export function openPush(config: PushConfig & { replayGuard: ReplayGuard }, query: PushQuery, body: string): XmlFields {
  if (query.encrypt_type === "aes") {
    if (!config.encodingAesKey) throw new MalformedCallbackError("safe mode push, but no EncodingAESKey is configured");
    const opened = openCallback(
      { token: config.token, encodingAesKey: config.encodingAesKey, corpId: config.appId, replayGuard: config.replayGuard },
      { msg_signature: query.msg_signature, timestamp: query.timestamp, nonce: query.nonce },
      body,
    );
    return parseWeComXml(opened.xml);
  }
  const { signature, timestamp, nonce } = checkPlainSignature(config.token, query);
  if (!/^\d{1,12}$/.test(timestamp)) throw new MalformedCallbackError("timestamp is not a number of seconds");
  config.replayGuard.check(signature, nonce, Number(timestamp));
  const fields = parseWeComXml(body);
  config.replayGuard.record(signature, nonce, Number(timestamp));
  return fields;
}

/** The follow event in a message, or null for anything else (messages, menu clicks, …). */
export function parseFollowEvent(fields: XmlFields): FollowEvent | null {
  if (textField(fields, "MsgType") !== "event") return null;
  const event = textField(fields, "Event")?.toLowerCase();
  if (event !== "subscribe" && event !== "unsubscribe" && event !== "scan") return null;
  const openid = textField(fields, "FromUserName");
  const account = textField(fields, "ToUserName");
  const createTime = Number(textField(fields, "CreateTime"));
  if (!openid || !account || !Number.isSafeInteger(createTime)) throw new MalformedCallbackError(`${event} event without FromUserName, ToUserName or CreateTime`);
  if (event === "unsubscribe") return { type: "unsubscribe", openid, account, createTime };
  // subscribe through a parameterised QR code: EventKey "qrscene_<scene>"; SCAN (already following): "<scene>".
  const key = textField(fields, "EventKey");
  const scene = event === "subscribe" ? (key?.startsWith("qrscene_") ? key.slice("qrscene_".length) : undefined) : key;
  return { type: event, openid, account, createTime, ...(scene ? { scene } : {}) };
}

/** A follower's own message to the account (not an event): what it was and, for text, what it said. */
export interface CustomerMessage {
  openid: string;
  account: string;
  createTime: number;
  msgType: string;
  /** WeChat's MsgId (a string: it exceeds 2^53); absent on some types. */
  msgId?: string;
  /** Text messages only. */
  text?: string;
}

const MESSAGE_TYPES = new Set(["text", "image", "voice", "video", "shortvideo", "location", "link", "file"]);

/** The follower's message in a push, or null for events and anything else. */
export function parseCustomerMessage(fields: XmlFields): CustomerMessage | null {
  const msgType = textField(fields, "MsgType")?.toLowerCase();
  if (!msgType || !MESSAGE_TYPES.has(msgType)) return null;
  const openid = textField(fields, "FromUserName");
  const account = textField(fields, "ToUserName");
  const createTime = Number(textField(fields, "CreateTime"));
  if (!openid || !account || !Number.isSafeInteger(createTime)) throw new MalformedCallbackError(`${msgType} message without FromUserName, ToUserName or CreateTime`);
  const msgId = textField(fields, "MsgId");
  const text = msgType === "text" ? textField(fields, "Content") : undefined;
  return { openid, account, createTime, msgType, ...(msgId ? { msgId } : {}), ...(text !== undefined ? { text } : {}) };
}

/** The dedupe key of a message: its MsgId, else FromUserName + CreateTime (WeChat's own advice). */
export function messageDedupeKey(appId: string, m: CustomerMessage): string {
  return `wechat:oa:${appId}:msg:${m.msgId ?? `${m.openid}:${m.createTime}`}`;
}

/** The XML WeChat pushes for a text message (fakes and tests). */
export function buildTextMessageXml(m: { openid: string; account: string; createTime: number; text: string; msgId?: string }): string {
  return buildWeComXml({ ToUserName: m.account, FromUserName: m.openid, CreateTime: m.createTime, MsgType: "text", Content: m.text, MsgId: m.msgId });
}

/** The dedupe key WeChat's retries share (FromUserName + CreateTime, plus the event). */
export function followDedupeKey(appId: string, ev: FollowEvent): string {
  return `wechat:oa:${appId}:${ev.openid}:${ev.createTime}:${ev.type}`;
}

/** The XML WeChat pushes for a follow event (fakes and tests). */
export function buildFollowEventXml(ev: FollowEvent): string {
  const eventKey = ev.type === "subscribe" ? (ev.scene ? `qrscene_${ev.scene}` : undefined) : ev.type === "scan" ? ev.scene : undefined;
  return buildWeComXml({ ToUserName: ev.account, FromUserName: ev.openid, CreateTime: ev.createTime, MsgType: "event", Event: ev.type === "scan" ? "SCAN" : ev.type, EventKey: eventKey });
}

/** A push as WeChat would POST it (plaintext, or safe mode when the config has a key): query and body. */
export function signPushRequest(config: PushConfig, xml: string, opts: SealOptions): { query: Record<string, string>; body: string } {
  const timestamp = String(opts.timestamp);
  const query: Record<string, string> = { signature: signPush(config.token, timestamp, opts.nonce), timestamp, nonce: opts.nonce };
  if (!config.encodingAesKey) return { query, body: xml };
  const sealed = sealCallback({ token: config.token, encodingAesKey: config.encodingAesKey, corpId: config.appId }, xml, opts);
  return { query: { ...query, encrypt_type: "aes", msg_signature: sealed.query.msg_signature }, body: sealed.body };
}
