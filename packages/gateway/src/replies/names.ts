/**
 * One name per signal whatever its source, so metrics and journeys read replies and deletions the
 * same way (README "Replies and deletions"): `message.replied` and `contact.added` carry
 * `data.source`; deletions are `contact.deleted` (wecom-integration/deletion.ts).
 */

/** The customer wrote to us: data.source says where it was seen. */
export const MESSAGE_REPLIED = "message.replied";
/** The customer became a contact outside a WeCom friend-add callback (e.g. 获客助手's customer_start_chat). */
export const CONTACT_ADDED = "contact.added";

/** The sources sopline itself records; an integrator's events carry whatever source they give. */
export const REPLY_SOURCES = {
  /** A message to the official account (message push, MsgType text / image / voice …). */
  officialAccount: "official_account",
  /** Reported by a mini-program through ingestEvents (the client's `replyEvent`). */
  miniProgram: "mini_program",
  /** A staff member's "customer replied" tap in the chat toolbar (reportCustomerReplied). */
  staffTap: "staff_tap",
  /** A registered 会话存档 (chat archive) adapter. */
  chatArchive: "chat_archive",
  /** A registered 获客助手 (customer acquisition assistant) adapter. */
  acquisitionAssistant: "acquisition_assistant",
} as const;
