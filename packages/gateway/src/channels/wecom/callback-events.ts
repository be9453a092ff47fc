/**
 * Typed view of decrypted WeCom callback XML: customer-contact changes (event
 * change_external_contact, path 92130) and plain app messages, plus the dedupe key and the XML
 * builder the fake WeCom side uses.
 */
import { MalformedCallbackError } from "./callback-errors.js";
import { buildWeComXml, parseWeComXml, textField, type XmlFields } from "./xml.js";

/** Fields every callback carries. */
export interface CallbackHeader {
  /** Corp id of the receiving corp. */
  toUserName: string;
  /** "sys" for system events, the member's userid for messages. */
  fromUserName: string;
  /** Seconds since epoch. */
  createTime: number;
}

/** ChangeType values of change_external_contact that carry a welcome code. */
export type AddChangeType = "add_external_contact" | "add_half_external_contact";

/** A customer was added (or added the member without verification: "half"). */
export interface AddExternalContactEvent extends CallbackHeader {
  type: AddChangeType;
  userId: string;
  externalUserId: string;
  /** The `state` of the 联系我 / acquisition link used, if any: the enrolment source. */
  state?: string;
  /** Present only when no console welcome message is configured; valid once, for 20 s. */
  welcomeCode?: string;
}

/** Customer remark/tags edited by the member. */
export interface EditExternalContactEvent extends CallbackHeader {
  type: "edit_external_contact";
  userId: string;
  externalUserId: string;
}

/** The member deleted the customer. `source` is DELETE_BY_TRANSFER when removed by a handover. */
export interface DelExternalContactEvent extends CallbackHeader {
  type: "del_external_contact";
  userId: string;
  externalUserId: string;
  source?: string;
}

/** The customer deleted the member. */
export interface DelFollowUserEvent extends CallbackHeader {
  type: "del_follow_user";
  userId: string;
  externalUserId: string;
}

/** A customer handover to another member failed. */
export interface TransferFailEvent extends CallbackHeader {
  type: "transfer_fail";
  userId: string;
  externalUserId: string;
  failReason?: string;
}

/** Any change_external_contact event this module types. */
export type ExternalContactEvent =
  | AddExternalContactEvent
  | EditExternalContactEvent
  | DelExternalContactEvent
  | DelFollowUserEvent
  | TransferFailEvent;

/** A message sent to the app (MsgType text, image, ...). */
export interface AppMessage extends CallbackHeader {
  type: "message";
  msgType: string;
  msgId?: string;
  agentId?: string;
  /** Text messages only. */
  content?: string;
}

/** Any other event, kept with its text fields so nothing is lost. */
export interface OtherEvent extends CallbackHeader {
  type: "other_event";
  event: string;
  changeType?: string;
  fields: Record<string, string>;
}

/** Everything {@link parseCallbackEvent} can return. */
export type CallbackEvent = ExternalContactEvent | AppMessage | OtherEvent;

const CONTACT_CHANGES = new Set<string>([
  "add_external_contact",
  "add_half_external_contact",
  "edit_external_contact",
  "del_external_contact",
  "del_follow_user",
  "transfer_fail",
]);

function required(fields: XmlFields, name: string): string {
  const v = textField(fields, name);
  if (v === undefined) throw new MalformedCallbackError(`callback lacks <${name}>`);
  return v;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function allText(fields: XmlFields): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(fields)) {
    const v = textField(fields, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Parses decrypted callback XML into a typed event; throws MalformedCallbackError when fields are missing. */
export function parseCallbackEvent(xml: string): CallbackEvent {
  const f = parseWeComXml(xml);
  const createTimeText = required(f, "CreateTime");
  if (!/^\d+$/.test(createTimeText)) throw new MalformedCallbackError("CreateTime is not a number");
  const header: CallbackHeader = {
    toUserName: required(f, "ToUserName"),
    fromUserName: required(f, "FromUserName"),
    createTime: Number(createTimeText),
  };
  const msgType = required(f, "MsgType");
  if (msgType !== "event") {
    return {
      ...header,
      type: "message",
      msgType,
      ...optional("msgId", textField(f, "MsgId")),
      ...optional("agentId", textField(f, "AgentID")),
      ...optional("content", textField(f, "Content")),
    };
  }
  const event = required(f, "Event");
  const changeType = textField(f, "ChangeType");
  if (event !== "change_external_contact" || changeType === undefined || !CONTACT_CHANGES.has(changeType)) {
    return { ...header, type: "other_event", event, ...optional("changeType", changeType), fields: allText(f) };
  }
  const who = { userId: required(f, "UserID"), externalUserId: required(f, "ExternalUserID") };
  switch (changeType) {
    case "add_external_contact":
    case "add_half_external_contact":
      return { ...header, type: changeType, ...who, ...optional("state", textField(f, "State")), ...optional("welcomeCode", textField(f, "WelcomeCode")) };
    case "del_external_contact":
      return { ...header, type: changeType, ...who, ...optional("source", textField(f, "Source")) };
    case "transfer_fail":
      return { ...header, type: changeType, ...who, ...optional("failReason", textField(f, "FailReason")) };
    case "edit_external_contact":
    case "del_follow_user":
      return { ...header, type: changeType, ...who };
    default:
      throw new MalformedCallbackError(`unhandled ChangeType ${changeType}`);
  }
}

/**
 * Idempotency key for a callback. WeCom retries unanswered callbacks, and FromUserName+CreateTime
 * alone collides for distinct same-second adds (FromUserName is "sys"), so contact events key on
 * corp, change type, member and ExternalUserID (WxJava #3002, #3311).
 */
export function callbackDedupeKey(ev: CallbackEvent): string {
  switch (ev.type) {
    case "message":
      // MsgId is unique per message; fall back to sender+time for message types without one.
      return ev.msgId !== undefined
        ? `wecom:msg:${ev.toUserName}:${ev.msgId}`
        : `wecom:msg:${ev.toUserName}:${ev.fromUserName}:${ev.createTime}:${ev.msgType}`;
    case "other_event": {
      const f = ev.fields;
      // Include every id-like field we know of so same-second events on different objects differ.
      const ids = [f["UserID"], f["ExternalUserID"], f["ChatId"], f["Id"], f["TagType"], f["UpdateDetail"]].map((x) => x ?? "").join(":");
      return `wecom:evt:${ev.toUserName}:${ev.event}:${ev.changeType ?? ""}:${ev.fromUserName}:${ev.createTime}:${ids}`;
    }
    default:
      return `wecom:cec:${ev.toUserName}:${ev.type}:${ev.userId}:${ev.externalUserId}:${ev.createTime}`;
  }
}

/** Serialises an event back to WeCom's XML (strings in CDATA, CreateTime bare), for fakes and tests. */
export function buildCallbackEventXml(ev: CallbackEvent): string {
  const head = { ToUserName: ev.toUserName, FromUserName: ev.fromUserName, CreateTime: ev.createTime };
  switch (ev.type) {
    case "message":
      return buildWeComXml({ ...head, MsgType: ev.msgType, Content: ev.content, MsgId: ev.msgId, AgentID: ev.agentId });
    case "other_event":
      return buildWeComXml({ ...ev.fields, ...head, MsgType: "event", Event: ev.event, ChangeType: ev.changeType });
    default: {
      const common = { ...head, MsgType: "event", Event: "change_external_contact", ChangeType: ev.type, UserID: ev.userId, ExternalUserID: ev.externalUserId };
      if (ev.type === "add_external_contact" || ev.type === "add_half_external_contact") {
        return buildWeComXml({ ...common, State: ev.state, WelcomeCode: ev.welcomeCode });
      }
      if (ev.type === "del_external_contact") return buildWeComXml({ ...common, Source: ev.source });
      if (ev.type === "transfer_fail") return buildWeComXml({ ...common, FailReason: ev.failReason });
      return buildWeComXml(common);
    }
  }
}
