/**
 * Checks WeCom's documented limits before any HTTP call, so a bad step fails loudly at the point
 * of authoring/sending instead of as an opaque errcode. Every cap is configurable (numbers change).
 */
import { ChannelError, invalidRequest } from "../errors.js";
import type { AddCorpTagRequest, AddMomentTaskRequest, MarkTagRequest, AddMsgTemplateRequest, MomentAttachment, SendWelcomeMsgRequest, WeComAttachment } from "./types.js";

/** Documented WeCom caps; defaults from WECHAT.md and the API pages. */
export interface WeComLimits {
  /** Attachments per welcome / mass-send / moment (9). */
  maxAttachments: number;
  /** text.content of welcome and mass-send messages, in UTF-8 bytes (4000). */
  maxTextBytes: number;
  /** add_msg_template external_userid (10,000). */
  maxExternalUserIds: number;
  /** add_msg_template chat_id_list (2,000). */
  maxChatIds: number;
  /** add_moment_task text, in characters (2,000). */
  maxMomentTextChars: number;
  /** add_moment_task sender_list.user_list (100,000). */
  maxMomentUsers: number;
  /** link.title / link.desc / link.url bytes (128 / 512 / 2048); miniprogram.title bytes (64). */
  maxLinkTitleBytes: number;
  maxLinkDescBytes: number;
  maxLinkUrlBytes: number;
  maxMiniprogramTitleBytes: number;
}

/** Defaults; pass overrides to the API client. */
export const DEFAULT_WECOM_LIMITS: Readonly<WeComLimits> = Object.freeze({
  maxAttachments: 9,
  maxTextBytes: 4000,
  maxExternalUserIds: 10_000,
  maxChatIds: 2_000,
  maxMomentTextChars: 2_000,
  maxMomentUsers: 100_000,
  maxLinkTitleBytes: 128,
  maxLinkDescBytes: 512,
  maxLinkUrlBytes: 2048,
  maxMiniprogramTitleBytes: 64,
});

const bytes = (s: string) => Buffer.byteLength(s, "utf8");
/** Characters as users count them (code points, so an emoji is one). */
export const countChars = (s: string) => [...s].length;

const bad = (field: string, message: string, limit?: number): ChannelError => invalidRequest("wecom", field, message, limit);

function nonEmpty(field: string, v: string | undefined): void {
  if (typeof v !== "string" || v.trim() === "") throw bad(field, "is required");
}

function maxBytes(field: string, v: string | undefined, limit: number): void {
  if (v !== undefined && bytes(v) > limit) throw bad(field, `must be at most ${limit} bytes (UTF-8), got ${bytes(v)}`, limit);
}

function checkAttachment(field: string, a: WeComAttachment, l: WeComLimits): void {
  switch (a.msgtype) {
    case "image":
      if (!a.image?.media_id && !a.image?.pic_url) throw bad(`${field}.image`, "needs media_id or pic_url");
      return;
    case "link":
      nonEmpty(`${field}.link.title`, a.link?.title);
      nonEmpty(`${field}.link.url`, a.link?.url);
      maxBytes(`${field}.link.title`, a.link.title, l.maxLinkTitleBytes);
      maxBytes(`${field}.link.desc`, a.link.desc, l.maxLinkDescBytes);
      maxBytes(`${field}.link.url`, a.link.url, l.maxLinkUrlBytes);
      return;
    case "miniprogram":
      nonEmpty(`${field}.miniprogram.title`, a.miniprogram?.title);
      nonEmpty(`${field}.miniprogram.pic_media_id`, a.miniprogram?.pic_media_id);
      nonEmpty(`${field}.miniprogram.appid`, a.miniprogram?.appid);
      nonEmpty(`${field}.miniprogram.page`, a.miniprogram?.page);
      maxBytes(`${field}.miniprogram.title`, a.miniprogram.title, l.maxMiniprogramTitleBytes);
      // The docs require the page path to carry the .html suffix.
      if (!/\.html(\?|$)/.test(a.miniprogram.page)) throw bad(`${field}.miniprogram.page`, "must end with .html (optionally followed by ?query)");
      return;
    case "video":
      nonEmpty(`${field}.video.media_id`, a.video?.media_id);
      return;
    case "file":
      nonEmpty(`${field}.file.media_id`, a.file?.media_id);
      return;
    default:
      throw bad(`${field}.msgtype`, `unsupported msgtype ${JSON.stringify((a as { msgtype?: unknown }).msgtype)}`);
  }
}

function checkContent(text: { content: string } | undefined, attachments: readonly unknown[] | undefined, l: WeComLimits): void {
  if ((text?.content ?? "") === "" && (attachments?.length ?? 0) === 0) throw bad("text", "text and attachments cannot both be empty");
  if (text) maxBytes("text.content", text.content, l.maxTextBytes);
  if (attachments && attachments.length > l.maxAttachments) {
    throw bad("attachments", `at most ${l.maxAttachments} attachments, got ${attachments.length}`, l.maxAttachments);
  }
}

/** Validates a send_welcome_msg request; throws ChannelError(invalid_request). */
export function validateWelcomeMsg(req: SendWelcomeMsgRequest, limits: WeComLimits = DEFAULT_WECOM_LIMITS): void {
  nonEmpty("welcome_code", req.welcome_code);
  checkContent(req.text, req.attachments, limits);
  req.attachments?.forEach((a, i) => checkAttachment(`attachments[${i}]`, a, limits));
}

/** Validates an add_msg_template request; throws ChannelError(invalid_request). */
export function validateMsgTemplate(req: AddMsgTemplateRequest, limits: WeComLimits = DEFAULT_WECOM_LIMITS): void {
  nonEmpty("sender", req.sender);
  if (req.chat_type === "single") {
    const ids = req.external_userid ?? [];
    // An empty list is valid for WeCom and means "all of the sender's customers": never what a step wants.
    if (ids.length === 0) throw bad("external_userid", "must list at least one customer for chat_type single");
    if (ids.length > limits.maxExternalUserIds) {
      throw bad("external_userid", `at most ${limits.maxExternalUserIds} customers per task, got ${ids.length}`, limits.maxExternalUserIds);
    }
    ids.forEach((id, i) => nonEmpty(`external_userid[${i}]`, id));
    if (req.chat_id_list?.length) throw bad("chat_id_list", "only allowed with chat_type group");
  } else if (req.chat_type === "group") {
    const ids = req.chat_id_list ?? [];
    if (ids.length > limits.maxChatIds) throw bad("chat_id_list", `at most ${limits.maxChatIds} groups per task, got ${ids.length}`, limits.maxChatIds);
    if (req.external_userid?.length) throw bad("external_userid", "only allowed with chat_type single");
  } else {
    throw bad("chat_type", "must be single or group");
  }
  checkContent(req.text, req.attachments, limits);
  req.attachments?.forEach((a, i) => checkAttachment(`attachments[${i}]`, a, limits));
}

function checkMomentAttachment(field: string, a: MomentAttachment): void {
  switch (a.msgtype) {
    case "image":
      return nonEmpty(`${field}.image.media_id`, a.image?.media_id);
    case "video":
      return nonEmpty(`${field}.video.media_id`, a.video?.media_id);
    case "link":
      nonEmpty(`${field}.link.url`, a.link?.url);
      return nonEmpty(`${field}.link.media_id`, a.link?.media_id);
    default:
      throw bad(`${field}.msgtype`, `unsupported msgtype ${JSON.stringify((a as { msgtype?: unknown }).msgtype)}`);
  }
}

/** Validates an add_moment_task request; throws ChannelError(invalid_request). */
export function validateMomentTask(req: AddMomentTaskRequest, limits: WeComLimits = DEFAULT_WECOM_LIMITS): void {
  const text = req.text?.content ?? "";
  const atts = req.attachments ?? [];
  if (text === "" && atts.length === 0) throw bad("text", "text and attachments cannot both be empty");
  if (countChars(text) > limits.maxMomentTextChars) {
    throw bad("text.content", `must be at most ${limits.maxMomentTextChars} characters, got ${countChars(text)}`, limits.maxMomentTextChars);
  }
  if (atts.length > limits.maxAttachments) throw bad("attachments", `at most ${limits.maxAttachments} attachments, got ${atts.length}`, limits.maxAttachments);
  atts.forEach((a, i) => checkMomentAttachment(`attachments[${i}]`, a));
  // Moments take images only, or a single video, or a single link: mixing is rejected by WeCom.
  const kinds = new Set(atts.map((a) => a.msgtype));
  if (kinds.size > 1) throw bad("attachments", "cannot mix image, video and link attachments in one moment");
  if ((kinds.has("video") || kinds.has("link")) && atts.length > 1) throw bad("attachments", "at most 1 video or 1 link attachment", 1);
  const users = req.visible_range?.sender_list?.user_list ?? [];
  if (users.length > limits.maxMomentUsers) {
    throw bad("visible_range.sender_list.user_list", `at most ${limits.maxMomentUsers} members, got ${users.length}`, limits.maxMomentUsers);
  }
}

/** Enterprise tag and tag-group names: at most 30 characters (path 92117). */
export const MAX_CORP_TAG_NAME_CHARS = 30;

/** Validates an add_corp_tag request; throws ChannelError(invalid_request). */
export function validateCorpTag(req: AddCorpTagRequest): void {
  if (!req.group_id && !req.group_name) throw bad("group_id", "group_id or group_name is required");
  if (req.group_name !== undefined && countChars(req.group_name) > MAX_CORP_TAG_NAME_CHARS) {
    throw bad("group_name", `must be at most ${MAX_CORP_TAG_NAME_CHARS} characters, got ${countChars(req.group_name)}`, MAX_CORP_TAG_NAME_CHARS);
  }
  if (req.tag.length === 0) throw bad("tag", "must list at least one tag");
  req.tag.forEach((t, i) => {
    nonEmpty(`tag[${i}].name`, t.name);
    if (countChars(t.name) > MAX_CORP_TAG_NAME_CHARS) throw bad(`tag[${i}].name`, `must be at most ${MAX_CORP_TAG_NAME_CHARS} characters, got ${countChars(t.name)}`, MAX_CORP_TAG_NAME_CHARS);
  });
}

/** Validates a mark_tag request; throws ChannelError(invalid_request). */
export function validateMarkTag(req: MarkTagRequest): void {
  nonEmpty("userid", req.userid);
  nonEmpty("external_userid", req.external_userid);
  if (!req.add_tag?.length && !req.remove_tag?.length) throw bad("add_tag", "add_tag or remove_tag must list a tag");
}
