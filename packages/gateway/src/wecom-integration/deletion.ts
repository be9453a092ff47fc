/**
 * Deletions as one event, whichever side and channel they come from (WECHAT.md "Deletions"):
 * `contact.deleted` with `by` (customer / staff), `channel` and the staff member. Handover
 * deletions (del_external_contact with Source DELETE_BY_TRANSFER) are not deletions and get none.
 */
import type { DelExternalContactEvent, DelFollowUserEvent } from "../channels/wecom/callback-events.js";

/** The event name every deletion is recorded under (journeys can move `on: contact.deleted`). */
export const CONTACT_DELETED = "contact.deleted";

/** What `contact.deleted` carries. */
export interface ContactDeletedData {
  /** customer: del_follow_user or an unfollow (the operators' deletion rate); staff: del_external_contact. */
  by: "customer" | "staff";
  channel: "wecom" | "official_account";
  /** The callback it comes from. */
  source: string;
  staffId?: string;
  /** The staff member's WeCom userid. */
  userId?: string;
  /** del_external_contact's Source, when WeCom sends one. */
  wecomSource?: string;
}

export function deletionData(ev: DelExternalContactEvent | DelFollowUserEvent, staffId: string): ContactDeletedData {
  return {
    by: ev.type === "del_follow_user" ? "customer" : "staff",
    channel: "wecom",
    source: ev.type,
    staffId,
    userId: ev.userId,
    ...(ev.type === "del_external_contact" && ev.source ? { wecomSource: ev.source } : {}),
  };
}

/** The reason unsent steps are skipped with. */
export function deletionReason(type: "del_external_contact" | "del_follow_user" | "unsubscribe"): string {
  if (type === "del_follow_user") return "contact deleted: the customer deleted the staff member (del_follow_user)";
  if (type === "del_external_contact") return "contact deleted: the staff member deleted the customer (del_external_contact)";
  return "contact deleted: the customer unfollowed the official account (unsubscribe)";
}
