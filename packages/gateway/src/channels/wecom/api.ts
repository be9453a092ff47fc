/**
 * Typed WeCom customer-contact calls. Every call validates documented limits first (no HTTP on a
 * bad request), gets a token from the shared provider (refetched once on 40014/42001) and maps
 * failures to ChannelError. Sends are never retried here: a retried send can reach customers twice.
 */
import type { AccessTokenProvider, TokenCredentials } from "../access-token.js";
import { ChannelError, invalidRequest } from "../errors.js";
import { type FetchLike, requestJson, WECOM_BASE_URL, withAccessToken } from "../http.js";
import { type RetryPolicy, withRetry } from "../retry.js";
import type {
  AddCorpTagRequest,
  AddCorpTagResponse,
  AddMomentTaskRequest,
  AddMomentTaskResponse,
  AddMsgTemplateRequest,
  AddMsgTemplateResponse,
  DelCorpTagRequest,
  GetGroupMsgSendResultRequest,
  GetGroupMsgSendResultResponse,
  GroupMsgSendResult,
  MarkTagRequest,
  SendWelcomeMsgRequest,
} from "./types.js";
import { DEFAULT_WECOM_LIMITS, validateCorpTag, validateMarkTag, validateMomentTask, validateMsgTemplate, validateWelcomeMsg, type WeComLimits } from "./validate.js";

/** Dependencies of {@link createWeComApi}. */
export interface WeComApiOptions {
  fetch: FetchLike;
  tokens: AccessTokenProvider;
  corpId: string;
  /** Secret of the app that holds the customer-contact permission. */
  secret: string;
  baseUrl?: string;
  limits?: Partial<WeComLimits>;
  /** Backoff for idempotent reads (get_groupmsg_send_result). */
  retry?: RetryPolicy;
}

/** The WeCom calls sopline uses. */
export interface WeComApi {
  /** Sends the welcome message for an add_external_contact event (once, within 20 s). */
  sendWelcomeMsg(req: SendWelcomeMsgRequest): Promise<void>;
  /** Creates a 群发助手 task the sender must confirm; returns msgid and the customers that failed. */
  addMsgTemplate(req: AddMsgTemplateRequest): Promise<AddMsgTemplateResponse>;
  /** One page of a task's per-customer results. */
  getGroupMsgSendResult(req: GetGroupMsgSendResultRequest): Promise<GetGroupMsgSendResultResponse>;
  /** All pages of a task's per-customer results for one sender. */
  getAllGroupMsgSendResults(req: Omit<GetGroupMsgSendResultRequest, "cursor">): Promise<GroupMsgSendResult[]>;
  /** Reminds the sender to confirm the task (≤ 3 per task per 24 h: check mass-send-limits first). */
  remindGroupMsgSend(msgid: string): Promise<void>;
  /** Creates a Moments task; returns the async job id. */
  addMomentTask(req: AddMomentTaskRequest): Promise<AddMomentTaskResponse>;
  /** Creates enterprise customer tags; returns the group with the new tags' ids. */
  addCorpTag(req: AddCorpTagRequest): Promise<AddCorpTagResponse>;
  /** Adds / removes enterprise tags on one customer of one staff member. */
  markTag(req: MarkTagRequest): Promise<void>;
  /** Deletes enterprise tags (every customer loses them). */
  delCorpTag(req: DelCorpTagRequest): Promise<void>;
}

// errcode 0 without the id: the task may exist, so re-sending could duplicate it; do not retry.
const missing = (field: string) =>
  new ChannelError({ code: "bad_response", permanent: true, provider: "wecom", message: `wecom reply lacks ${field} despite errcode 0` });

/** Builds a client bound to one corp/app credential. */
export function createWeComApi(opts: WeComApiOptions): WeComApi {
  const base = opts.baseUrl ?? WECOM_BASE_URL;
  const limits: WeComLimits = { ...DEFAULT_WECOM_LIMITS, ...opts.limits };
  const creds: TokenCredentials = { provider: "wecom", corpId: opts.corpId, secret: opts.secret };

  const post = <T extends object>(path: string, body: unknown) =>
    opts.tokens.withToken(creds, (token) => requestJson<T>(opts.fetch, "wecom", withAccessToken(base, path, token), { method: "POST", body }));

  const getPage = async (req: GetGroupMsgSendResultRequest): Promise<GetGroupMsgSendResultResponse> => {
    if (!req.msgid) throw invalidRequest("wecom", "msgid", "is required");
    if (!req.userid) throw invalidRequest("wecom", "userid", "is required");
    if (req.limit !== undefined && (req.limit < 1 || req.limit > 1000)) throw invalidRequest("wecom", "limit", "must be between 1 and 1000", 1000);
    const call = () => post<Partial<GetGroupMsgSendResultResponse>>("/cgi-bin/externalcontact/get_groupmsg_send_result", req);
    const body = opts.retry ? await withRetry(call, opts.retry) : await call();
    return { ...(body.next_cursor ? { next_cursor: body.next_cursor } : {}), send_list: body.send_list ?? [] };
  };

  return {
    async sendWelcomeMsg(req) {
      validateWelcomeMsg(req, limits);
      await post("/cgi-bin/externalcontact/send_welcome_msg", req);
    },
    async addMsgTemplate(req) {
      validateMsgTemplate(req, limits);
      const body = await post<Partial<AddMsgTemplateResponse>>("/cgi-bin/externalcontact/add_msg_template", req);
      if (!body.msgid) throw missing("msgid");
      return { msgid: body.msgid, fail_list: body.fail_list ?? [] };
    },
    getGroupMsgSendResult: getPage,
    async getAllGroupMsgSendResults(req) {
      const all: GroupMsgSendResult[] = [];
      const seenCursors = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await getPage({ ...req, ...(cursor ? { cursor } : {}) });
        all.push(...page.send_list);
        cursor = page.next_cursor;
        // Guard against a server that keeps returning the same cursor.
        if (cursor !== undefined) {
          if (seenCursors.has(cursor)) break;
          seenCursors.add(cursor);
        }
      } while (cursor);
      return all;
    },
    async remindGroupMsgSend(msgid) {
      if (!msgid) throw invalidRequest("wecom", "msgid", "is required");
      await post("/cgi-bin/externalcontact/remind_groupmsg_send", { msgid });
    },
    async addMomentTask(req) {
      validateMomentTask(req, limits);
      const body = await post<Partial<AddMomentTaskResponse>>("/cgi-bin/externalcontact/add_moment_task", req);
      if (!body.jobid) throw missing("jobid");
      return { jobid: body.jobid };
    },
    async addCorpTag(req) {
      validateCorpTag(req);
      const body = await post<Partial<AddCorpTagResponse>>("/cgi-bin/externalcontact/add_corp_tag", req);
      if (!body.tag_group?.tag?.length) throw missing("tag_group.tag");
      return { tag_group: body.tag_group };
    },
    async markTag(req) {
      validateMarkTag(req);
      await post("/cgi-bin/externalcontact/mark_tag", req);
    },
    async delCorpTag(req) {
      if (!req.tag_id?.length && !req.group_id?.length) throw invalidRequest("wecom", "tag_id", "tag_id or group_id is required");
      await post("/cgi-bin/externalcontact/del_corp_tag", req);
    },
  };
}
