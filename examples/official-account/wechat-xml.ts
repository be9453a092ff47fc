/**
 * The official account's plaintext (明文模式) push protocol: signature check, the XML WeChat
 * POSTs for a follower's message, and the passive reply (被动回复) the server answers with.
 */
import { createHash } from "node:crypto";

/** A follower's text message as WeChat pushes it. */
export interface IncomingMessage {
  /** The official account's id (gh_…). */
  toUserName: string;
  /** The follower's openid. */
  fromUserName: string;
  /** Seconds since the epoch. */
  createTime: number;
  msgType: string;
  content: string;
  /** WeChat's message id: the same id on every retry of one message. */
  msgId: string;
}

/**
 * Reads the push XML (flat, one level, values in CDATA or plain).
 *
 * @example
 * parseMessage("<xml><ToUserName><![CDATA[gh_1]]></ToUserName>…</xml>").fromUserName;
 */
export function parseMessage(xml: string): IncomingMessage {
  const fields = new Map<string, string>();
  for (const m of xml.matchAll(/<(\w+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g)) fields.set(m[1]!, m[2] ?? m[3] ?? "");
  const get = (name: string) => {
    const value = fields.get(name);
    if (value === undefined) throw new Error(`Expected <${name}> in the WeChat push, got fields ${[...fields.keys()].join(", ") || "none"}`);
    return value;
  };
  return {
    toUserName: get("ToUserName"),
    fromUserName: get("FromUserName"),
    createTime: Number(get("CreateTime")),
    msgType: get("MsgType"),
    content: fields.get("Content") ?? "",
    msgId: fields.get("MsgId") ?? "",
  };
}

/**
 * The XML of a follower's text message, as WeChat sends it (for tests and the demo run).
 *
 * @example
 * messageXml({ toUserName: "gh_1", fromUserName: "o-1", createTime: 1790000000, msgType: "text", content: "你好", msgId: "1" });
 */
export function messageXml(m: IncomingMessage): string {
  return (
    `<xml><ToUserName><![CDATA[${m.toUserName}]]></ToUserName><FromUserName><![CDATA[${m.fromUserName}]]></FromUserName>` +
    `<CreateTime>${m.createTime}</CreateTime><MsgType><![CDATA[${m.msgType}]]></MsgType>` +
    `<Content><![CDATA[${m.content}]]></Content><MsgId>${m.msgId}</MsgId></xml>`
  );
}

/**
 * A passive text reply: the only message WeChat shows in answer to the push (within 5 s).
 *
 * @example
 * textReply({ to: openid, from: "gh_1", createTime: 1790000000, content: "您好！" });
 */
export function textReply(r: { to: string; from: string; createTime: number; content: string }): string {
  // "]]>" cannot appear inside CDATA: split it across two sections.
  const cdata = (s: string) => `<![CDATA[${s.replaceAll("]]>", "]]]]><![CDATA[>")}]]>`;
  return `<xml><ToUserName>${cdata(r.to)}</ToUserName><FromUserName>${cdata(r.from)}</FromUserName><CreateTime>${r.createTime}</CreateTime><MsgType>${cdata("text")}</MsgType><Content>${cdata(r.content)}</Content></xml>`;
}

/**
 * WeChat's signature of a push: sha1 of token, timestamp and nonce, sorted and joined.
 *
 * @example
 * const ok = signature(token, query.timestamp, query.nonce) === query.signature;
 */
export function signature(token: string, timestamp: string, nonce: string): string {
  return createHash("sha1").update([token, timestamp, nonce].sort().join("")).digest("hex");
}
