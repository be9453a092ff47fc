/**
 * Request/response shapes of the WeCom customer-contact APIs, field names exactly as documented
 * (snake_case) so payloads can be compared with the docs line by line.
 */

/** `text` block of welcome / mass-send / moment messages. */
export interface WeComText {
  content: string;
}

/** Attachment of send_welcome_msg (path 92137) and add_msg_template (path 92135). */
export type WeComAttachment =
  | { msgtype: "image"; image: { media_id: string; pic_url?: never } | { pic_url: string; media_id?: never } }
  | { msgtype: "link"; link: { title: string; picurl?: string; desc?: string; url: string } }
  | { msgtype: "miniprogram"; miniprogram: { title: string; pic_media_id: string; appid: string; page: string } }
  | { msgtype: "video"; video: { media_id: string } }
  | { msgtype: "file"; file: { media_id: string } };

/** Attachment of add_moment_task (path 96351): image ×9, or one video, or one link. */
export type MomentAttachment =
  | { msgtype: "image"; image: { media_id: string } }
  | { msgtype: "video"; video: { media_id: string } }
  | { msgtype: "link"; link: { title?: string; url: string; media_id: string } };

/** POST /cgi-bin/externalcontact/send_welcome_msg */
export interface SendWelcomeMsgRequest {
  welcome_code: string;
  text?: WeComText;
  attachments?: WeComAttachment[];
}

/** POST /cgi-bin/externalcontact/add_msg_template (群发助手 task; the sender confirms it on the phone). */
export interface AddMsgTemplateRequest {
  chat_type: "single" | "group";
  /** chat_type single: the customers; required here (an empty list would target all of the sender's customers). */
  external_userid?: string[];
  /** chat_type group: group chat ids. */
  chat_id_list?: string[];
  /** The staff member who confirms the send; required here so tasks can be tracked per member. */
  sender: string;
  allow_select?: boolean;
  text?: WeComText;
  attachments?: WeComAttachment[];
}

/** Reply of add_msg_template. */
export interface AddMsgTemplateResponse {
  msgid: string;
  /** external_userids that cannot receive it (not this sender's customers, over the cap, ...). */
  fail_list: string[];
}

/** POST /cgi-bin/externalcontact/get_groupmsg_send_result */
export interface GetGroupMsgSendResultRequest {
  msgid: string;
  userid: string;
  /** Page size, ≤ 1000 (default 500). */
  limit?: number;
  cursor?: string;
}

/** 0 unsent, 1 sent, 2 not a friend, 3 already received another mass message (cap). */
export type GroupMsgSendStatus = 0 | 1 | 2 | 3;

/** One row of send_list. */
export interface GroupMsgSendResult {
  external_userid?: string;
  chat_id?: string;
  userid: string;
  status: GroupMsgSendStatus;
  /** Seconds since epoch, present when status is 1. */
  send_time?: number;
}

/** Reply of get_groupmsg_send_result. */
export interface GetGroupMsgSendResultResponse {
  next_cursor?: string;
  send_list: GroupMsgSendResult[];
}

/** POST /cgi-bin/externalcontact/add_moment_task */
export interface AddMomentTaskRequest {
  text?: WeComText;
  attachments?: MomentAttachment[];
  visible_range?: {
    sender_list?: { user_list?: string[]; department_list?: number[] };
    external_contact_list?: { tag_list?: string[] };
  };
}

/** Reply of add_moment_task: an async job id (poll get_moment_task_result). */
export interface AddMomentTaskResponse {
  jobid: string;
}

/** POST /cgi-bin/externalcontact/add_corp_tag (path 92117): creates enterprise customer tags in a group. */
export interface AddCorpTagRequest {
  /** An existing group; else `group_name` (a group of that name is reused or created). */
  group_id?: string;
  group_name?: string;
  /** Names ≤ 30 characters. */
  tag: Array<{ name: string; order?: number }>;
}

/** Reply of add_corp_tag: the group with the tags created. */
export interface AddCorpTagResponse {
  tag_group: { group_id: string; group_name: string; tag: Array<{ id: string; name: string }> };
}

/** POST /cgi-bin/externalcontact/mark_tag (path 92118): tags one customer of one staff member. */
export interface MarkTagRequest {
  userid: string;
  external_userid: string;
  add_tag?: string[];
  remove_tag?: string[];
}

/** POST /cgi-bin/externalcontact/del_corp_tag (path 92117): deletes tags (and untags every customer). */
export interface DelCorpTagRequest {
  tag_id?: string[];
  group_id?: string[];
}
