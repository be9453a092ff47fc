/**
 * A fake WeCom + WeChat server as msw handlers, playing the documented behaviour closely enough to
 * run a day of a WeCom account in tests: token issuance and expiry (40014/42001), single-use
 * 20-second welcome codes (41051), 群发助手 tasks with per-customer results the test controls,
 * reminders, moments, enterprise tags (add_corp_tag / mark_tag → 84061 when not a friend / del_corp_tag), OA custom (48 h window → 45015) / template / subscribe sends (quota → 43101,
 * bad field → 47003, bad page → 41030, unknown openid → 40003), injectable failures, and
 * encrypted callback requests for a corp.
 *
 * Assumption where the docs give no code: unknown msgid and malformed requests answer 40058
 * (WeCom "invalid parameter").
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import { ChannelError } from "../errors.js";
import { sealCallback, encrypt, sign, type CallbackConfig } from "../wecom/callback-crypto.js";
import { buildCallbackEventXml, type CallbackEvent } from "../wecom/callback-events.js";
import type { AddMomentTaskRequest, AddMsgTemplateRequest, GroupMsgSendResult, GroupMsgSendStatus, SendWelcomeMsgRequest } from "../wecom/types.js";
import type { CustomMessage, SubscribeMessage, TemplateMessage } from "../wechat/types.js";
import { validateSubscribeData } from "../wechat/subscribe-fields.js";
import { SERVICE_WINDOW_MS } from "../wechat/service-window.js";

/** One corp as configured in the WeCom admin console. */
export interface FakeCorp extends CallbackConfig {
  /** Secret of the customer-contact app. */
  secret: string;
  agentId?: string;
}

/** One official account or mini-program. */
export interface FakeWeChatApp {
  appId: string;
  secret: string;
  /** When given, template/subscribe sends with other template ids fail with 40037. */
  templateIds?: string[];
  /** When given, subscribe sends to other pages fail with 41030. */
  pages?: string[];
}

/** Options of {@link createFakeWeCom}. */
export interface FakeWeComOptions {
  /** The fake's clock (epoch ms); share it with the code under test. */
  now: () => number;
  corps?: FakeCorp[];
  apps?: FakeWeChatApp[];
  /** expires_in of issued tokens (7200). */
  tokenTtlSec?: number;
  /** Life of a welcome_code (20 s). */
  welcomeCodeTtlMs?: number;
  wecomBaseUrl?: string;
  wechatBaseUrl?: string;
  /** 16 random bytes for callback encryption (default crypto random). */
  random16?: () => Uint8Array;
}

/** A request the fake received. */
export interface RecordedCall {
  host: "wecom" | "wechat";
  path: string;
  query: Record<string, string>;
  body: unknown;
  at: number;
}

/** An encrypted callback as WeCom would POST it, ready to hand to the gateway. */
export interface CallbackDelivery {
  event: CallbackEvent;
  /** Decrypted inner XML. */
  xml: string;
  query: { msg_signature: string; timestamp: string; nonce: string };
  body: string;
  /** The POST as a fetch Request against the gateway's callback URL. */
  request(callbackUrl: string): Request;
  /** WeCom's retry of the same event: same XML, fresh nonce/encryption. */
  redeliver(): CallbackDelivery;
}

/** add_external_contact delivery, with the welcome code it carries (if any). */
export interface AddContactDelivery extends CallbackDelivery {
  welcomeCode?: string;
}

/** A 群发助手 task as the fake stores it. */
export interface FakeMsgTask {
  msgid: string;
  corpId: string;
  request: AddMsgTemplateRequest;
  createdAt: number;
  failList: string[];
  results: GroupMsgSendResult[];
  reminders: number[];
}

/** An injected failure for the next call(s) to a path. */
export type FakeFailure = { errcode: number; errmsg?: string } | { status: number } | "network";

/** Handle returned by {@link createFakeWeCom}. */
export interface FakeWeCom {
  /** Pass to `setupServer(...fake.handlers)` or `server.use(...)`. */
  handlers: HttpHandler[];
  calls: RecordedCall[];
  /** Calls to a path such as "/cgi-bin/gettoken". */
  callsTo(path: string): RecordedCall[];
  /** The next `times` calls to `path` fail as given, before any other processing. */
  failNext(path: string, failure: FakeFailure, times?: number): void;
  /** Every issued token expires now (the next API call sees 42001). */
  expireTokens(): void;
  /** Every issued token becomes unknown (40014 / WeChat 40001). */
  revokeTokens(): void;

  // WeCom side
  /** Makes a customer a friend of `userId` and returns the encrypted add_external_contact callback. */
  addExternalContact(corpId: string, p: { userId: string; externalUserId: string; state?: string; withWelcomeCode?: boolean }): AddContactDelivery;
  /** The member deleted the customer (del_external_contact). */
  staffDeletesCustomer(corpId: string, p: { userId: string; externalUserId: string }): CallbackDelivery;
  /** The customer deleted the member (del_follow_user). */
  customerDeletesStaff(corpId: string, p: { userId: string; externalUserId: string }): CallbackDelivery;
  /** Any event, encrypted for the corp. */
  callback(corpId: string, event: CallbackEvent): CallbackDelivery;
  /** GET URL-verification request and the plaintext the gateway must echo. */
  urlVerification(corpId: string): { query: Record<string, string>; expectedEcho: string };
  isFriend(corpId: string, userId: string, externalUserId: string): boolean;
  welcomeSent: Array<{ corpId: string; welcomeCode: string; request: SendWelcomeMsgRequest; at: number }>;
  tasks: Map<string, FakeMsgTask>;
  /** Sets the status of one customer in a task (e.g. 1 sent, 2 not a friend, 3 already received). */
  setSendStatus(msgid: string, externalUserId: string, status: GroupMsgSendStatus): void;
  /** The sender confirmed the task on the phone: every unsent row becomes sent now. */
  confirmTask(msgid: string): void;
  moments: Array<{ corpId: string; jobid: string; request: AddMomentTaskRequest; at: number }>;
  /** Enterprise tags created with add_corp_tag (deleted ones are removed). */
  corpTags: Map<string, { corpId: string; groupId: string; groupName: string; name: string }>;
  /** The enterprise tags `userId` put on a customer (mark_tag). */
  tagsOf(corpId: string, userId: string, externalUserId: string): string[];
  /**
   * Who can see a Moments post now, as WeCom's visible_range says: every customer of its senders, or
   * with a tag_list only those of them carrying one of the tags (enterprise tags only).
   */
  momentAudience(jobid: string): string[];

  // WeChat side
  /** A follower of an OA / user of a mini-program; `lastInteractionAt` opens the 48 h window. */
  follow(appId: string, openid: string, p?: { lastInteractionAt?: number }): void;
  unfollow(appId: string, openid: string): void;
  /** The follower interacted (message, click...) at `at` (default now). */
  interact(appId: string, openid: string, at?: number): void;
  /** The user accepted `templateId` `n` times in wx.requestSubscribeMessage. */
  grantSubscribe(appId: string, openid: string, templateId: string, n?: number): void;
  subscribeQuota(appId: string, openid: string, templateId: string): number;
  sent: { custom: CustomMessage[]; template: TemplateMessage[]; subscribe: SubscribeMessage[] };
}

interface IssuedToken {
  provider: "wecom" | "wechat";
  owner: string;
  expiresAt: number;
  revoked: boolean;
}

interface WelcomeCode {
  corpId: string;
  userId: string;
  externalUserId: string;
  issuedAt: number;
  used: boolean;
}

interface Follower {
  subscribed: boolean;
  lastInteractionAt?: number;
  quota: Map<string, number>;
}

const ok = (extra: Record<string, unknown> = {}) => HttpResponse.json({ errcode: 0, errmsg: "ok", ...extra });
const err = (errcode: number, errmsg: string) => HttpResponse.json({ errcode, errmsg });

/** Creates the fake; state lives in the returned object, so create one per test. */
export function createFakeWeCom(opts: FakeWeComOptions): FakeWeCom {
  const wecomBase = opts.wecomBaseUrl ?? "https://qyapi.weixin.qq.com";
  const wechatBase = opts.wechatBaseUrl ?? "https://api.weixin.qq.com";
  const ttlMs = (opts.tokenTtlSec ?? 7200) * 1000;
  const welcomeTtl = opts.welcomeCodeTtlMs ?? 20_000;
  const corps = new Map((opts.corps ?? []).map((c) => [c.corpId, c]));
  const apps = new Map((opts.apps ?? []).map((a) => [a.appId, a]));

  let seq = 0;
  const nextId = (prefix: string) => `${prefix}${(++seq).toString(36).padStart(6, "0")}`;
  const tokens = new Map<string, IssuedToken>();
  const welcomeCodes = new Map<string, WelcomeCode>();
  const friends = new Set<string>();
  const followers = new Map<string, Follower>();
  const failures = new Map<string, { failure: FakeFailure; times: number }>();
  const calls: RecordedCall[] = [];
  const tasks = new Map<string, FakeMsgTask>();
  const welcomeSent: FakeWeCom["welcomeSent"] = [];
  const moments: FakeWeCom["moments"] = [];
  const corpTags: FakeWeCom["corpTags"] = new Map();
  const groups = new Map<string, string>(); // corpId + group name → group id
  const customerTags = new Map<string, Set<string>>(); // friendKey → tag ids
  const sent: FakeWeCom["sent"] = { custom: [], template: [], subscribe: [] };

  const friendKey = (corpId: string, userId: string, ext: string) => `${corpId}\u0000${userId}\u0000${ext}`;
  const followerKey = (appId: string, openid: string) => `${appId}\u0000${openid}`;

  function corp(corpId: string): FakeCorp {
    const c = corps.get(corpId);
    if (!c) throw new Error(`fake: unknown corp ${corpId}`);
    return c;
  }

  async function record(host: RecordedCall["host"], request: Request): Promise<RecordedCall> {
    const url = new URL(request.url);
    let body: unknown;
    if (request.method === "POST") {
      const text = await request.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const call: RecordedCall = { host, path: url.pathname, query: Object.fromEntries(url.searchParams), body, at: opts.now() };
    calls.push(call);
    return call;
  }

  /** Returns an injected failure response for this path, if one is armed. */
  function injected(path: string): Response | undefined {
    const f = failures.get(path);
    if (!f || f.times <= 0) return undefined;
    f.times -= 1;
    if (f.times === 0) failures.delete(path);
    if (f.failure === "network") return HttpResponse.error();
    if ("status" in f.failure) return new HttpResponse("upstream unavailable", { status: f.failure.status });
    return err(f.failure.errcode, f.failure.errmsg ?? "injected failure");
  }

  /** Resolves the access_token query parameter to its owner, or an error response. */
  function authorize(provider: "wecom" | "wechat", call: RecordedCall): { owner: string } | Response {
    const token = call.query["access_token"];
    if (!token) return err(41001, "access_token missing");
    const t = tokens.get(token);
    if (!t || t.revoked || t.provider !== provider) {
      return provider === "wecom" ? err(40014, "invalid access_token") : err(40001, "invalid credential, access_token is invalid or not latest");
    }
    if (opts.now() >= t.expiresAt) return err(42001, "access_token expired");
    return { owner: t.owner };
  }

  function issue(provider: "wecom" | "wechat", owner: string): Response {
    const token = `${provider}-${owner}-${nextId("tok")}`;
    tokens.set(token, { provider, owner, expiresAt: opts.now() + ttlMs, revoked: false });
    return provider === "wecom"
      ? ok({ access_token: token, expires_in: ttlMs / 1000 })
      : HttpResponse.json({ access_token: token, expires_in: ttlMs / 1000 });
  }

  /** Wraps an API handler: record → injected failure → token check → handler. */
  function api(provider: "wecom" | "wechat", path: string, handle: (owner: string, body: Record<string, unknown>, call: RecordedCall) => Response) {
    const base = provider === "wecom" ? wecomBase : wechatBase;
    return http.post(`${base}${path}`, async ({ request }) => {
      const call = await record(provider, request);
      const fail = injected(path);
      if (fail) return fail;
      const auth = authorize(provider, call);
      if (auth instanceof Response) return auth;
      if (typeof call.body !== "object" || call.body === null) return err(47001, "data format error");
      return handle(auth.owner, call.body as Record<string, unknown>, call);
    });
  }

  function deliver(corpId: string, event: CallbackEvent): CallbackDelivery {
    const c = corp(corpId);
    const xml = buildCallbackEventXml(event);
    const sealed = sealCallback(c, xml, {
      timestamp: Math.floor(opts.now() / 1000),
      nonce: nextId("n"),
      ...(c.agentId ? { agentId: c.agentId } : {}),
      ...(opts.random16 ? { random16: opts.random16 } : {}),
    });
    return {
      event,
      xml,
      query: sealed.query,
      body: sealed.body,
      request(callbackUrl) {
        const url = new URL(callbackUrl);
        for (const [k, v] of Object.entries(sealed.query)) url.searchParams.set(k, v);
        return new Request(url, { method: "POST", headers: { "content-type": "text/xml" }, body: sealed.body });
      },
      redeliver: () => deliver(corpId, event),
    };
  }

  function header(corpId: string) {
    return { toUserName: corpId, fromUserName: "sys", createTime: Math.floor(opts.now() / 1000) };
  }

  function follower(appId: string, openid: string): Follower | undefined {
    return followers.get(followerKey(appId, openid));
  }

  const handlers: HttpHandler[] = [
    // WeCom token: GET /cgi-bin/gettoken?corpid&corpsecret
    http.get(`${wecomBase}/cgi-bin/gettoken`, async ({ request }) => {
      const call = await record("wecom", request);
      const fail = injected(call.path);
      if (fail) return fail;
      const c = corps.get(call.query["corpid"] ?? "");
      if (!c) return err(40013, "invalid corpid");
      if (call.query["corpsecret"] !== c.secret) return err(40001, "invalid secret");
      return issue("wecom", c.corpId);
    }),
    // WeChat token: GET /cgi-bin/token?grant_type=client_credential&appid&secret
    http.get(`${wechatBase}/cgi-bin/token`, async ({ request }) => {
      const call = await record("wechat", request);
      const fail = injected(call.path);
      if (fail) return fail;
      if (call.query["grant_type"] !== "client_credential") return err(40002, "invalid grant_type");
      const a = apps.get(call.query["appid"] ?? "");
      if (!a) return err(40013, "invalid appid");
      if (call.query["secret"] !== a.secret) return err(40125, "invalid appsecret");
      return issue("wechat", a.appId);
    }),

    api("wecom", "/cgi-bin/externalcontact/send_welcome_msg", (corpId, body, call) => {
      const code = typeof body["welcome_code"] === "string" ? body["welcome_code"] : "";
      const wc = welcomeCodes.get(code);
      // Single use, 20 s from the add event, and only for the corp it was issued to.
      if (!wc || wc.corpId !== corpId || wc.used || opts.now() - wc.issuedAt > welcomeTtl) {
        return err(41051, "welcome_code invalid, expired or already used");
      }
      wc.used = true;
      welcomeSent.push({ corpId, welcomeCode: code, request: body as unknown as SendWelcomeMsgRequest, at: call.at });
      return ok();
    }),

    api("wecom", "/cgi-bin/externalcontact/add_msg_template", (corpId, body, call) => {
      const req = body as unknown as AddMsgTemplateRequest;
      if (req.chat_type !== "single" && req.chat_type !== "group") return err(40058, "invalid chat_type");
      const sender = req.sender;
      const ids = req.external_userid ?? [];
      const failList = req.chat_type === "single" ? ids.filter((x) => !sender || !friends.has(friendKey(corpId, sender, x))) : [];
      const msgid = nextId("msg");
      const results: GroupMsgSendResult[] = ids
        .filter((x) => !failList.includes(x))
        .map((x) => ({ external_userid: x, userid: sender, status: 0 as const }));
      tasks.set(msgid, { msgid, corpId, request: req, createdAt: call.at, failList, results, reminders: [] });
      return ok({ fail_list: failList, msgid });
    }),

    api("wecom", "/cgi-bin/externalcontact/get_groupmsg_send_result", (corpId, body) => {
      const task = tasks.get(String(body["msgid"] ?? ""));
      if (!task || task.corpId !== corpId) return err(40058, "invalid msgid");
      const limit = Math.min(1000, Number(body["limit"] ?? 500) || 500);
      const start = Number(body["cursor"] || 0);
      const rows = task.results.filter((r) => r.userid === body["userid"]);
      const page = rows.slice(start, start + limit);
      const next = start + limit < rows.length ? String(start + limit) : "";
      return ok({ next_cursor: next, send_list: page });
    }),

    api("wecom", "/cgi-bin/externalcontact/remind_groupmsg_send", (corpId, body, call) => {
      const task = tasks.get(String(body["msgid"] ?? ""));
      if (!task || task.corpId !== corpId) return err(40058, "invalid msgid");
      task.reminders.push(call.at);
      return ok();
    }),

    api("wecom", "/cgi-bin/externalcontact/add_moment_task", (corpId, body, call) => {
      const jobid = nextId("job");
      moments.push({ corpId, jobid, request: body as AddMomentTaskRequest, at: call.at });
      return ok({ jobid });
    }),

    api("wecom", "/cgi-bin/externalcontact/add_corp_tag", (corpId, body) => {
      const names = Array.isArray(body["tag"]) ? (body["tag"] as Array<{ name?: unknown }>).map((t) => String(t.name ?? "")) : [];
      if (names.length === 0 || names.some((n) => n === "" || [...n].length > 30)) return err(40058, "invalid tag name");
      let groupId = typeof body["group_id"] === "string" ? body["group_id"] : undefined;
      const groupName = typeof body["group_name"] === "string" ? body["group_name"] : "";
      if (!groupId) {
        if (!groupName) return err(40058, "group_id or group_name required");
        groupId = groups.get(`${corpId}\u0000${groupName}`) ?? nextId("grp");
        groups.set(`${corpId}\u0000${groupName}`, groupId);
      }
      const tag = names.map((name) => {
        const id = nextId("et");
        corpTags.set(id, { corpId, groupId: groupId!, groupName, name });
        return { id, name };
      });
      return ok({ tag_group: { group_id: groupId, group_name: groupName, tag } });
    }),

    api("wecom", "/cgi-bin/externalcontact/mark_tag", (corpId, body) => {
      const userId = String(body["userid"] ?? "");
      const ext = String(body["external_userid"] ?? "");
      const add = Array.isArray(body["add_tag"]) ? (body["add_tag"] as unknown[]).map(String) : [];
      const remove = Array.isArray(body["remove_tag"]) ? (body["remove_tag"] as unknown[]).map(String) : [];
      if ([...add, ...remove].some((id) => corpTags.get(id)?.corpId !== corpId)) return err(40068, "invalid tagid");
      const key = friendKey(corpId, userId, ext);
      if (!friends.has(key)) return err(84061, "not external contact");
      const set = customerTags.get(key) ?? new Set<string>();
      for (const id of add) set.add(id);
      for (const id of remove) set.delete(id);
      customerTags.set(key, set);
      return ok();
    }),

    api("wecom", "/cgi-bin/externalcontact/del_corp_tag", (corpId, body) => {
      const ids = Array.isArray(body["tag_id"]) ? (body["tag_id"] as unknown[]).map(String) : [];
      if (ids.length === 0 || ids.some((id) => corpTags.get(id)?.corpId !== corpId)) return err(40068, "invalid tagid");
      for (const id of ids) {
        corpTags.delete(id);
        for (const set of customerTags.values()) set.delete(id);
      }
      return ok();
    }),

    api("wechat", "/cgi-bin/message/custom/send", (appId, body) => {
      const msg = body as unknown as CustomMessage;
      const f = follower(appId, msg.touser);
      if (!f) return err(40003, "invalid openid");
      if (!f.subscribed || f.lastInteractionAt === undefined || opts.now() >= f.lastInteractionAt + SERVICE_WINDOW_MS) {
        return err(45015, "response out of time limit or subscription is canceled");
      }
      sent.custom.push(msg);
      return ok();
    }),

    api("wechat", "/cgi-bin/message/template/send", (appId, body) => {
      const msg = body as unknown as TemplateMessage;
      const f = follower(appId, msg.touser);
      if (!f) return err(40003, "invalid openid");
      if (!f.subscribed) return err(43004, "require subscribe");
      const tpl = apps.get(appId)?.templateIds;
      if (tpl && !tpl.includes(msg.template_id)) return err(40037, "invalid template_id");
      sent.template.push(msg);
      return ok({ msgid: 200_000 + sent.template.length });
    }),

    api("wechat", "/cgi-bin/message/subscribe/send", (appId, body) => {
      const msg = body as unknown as SubscribeMessage;
      const f = follower(appId, msg.touser);
      if (!f) return err(40003, "invalid openid");
      const app = apps.get(appId);
      if (app?.templateIds && !app.templateIds.includes(msg.template_id)) return err(40037, "invalid template_id");
      try {
        validateSubscribeData(msg.data ?? {});
      } catch (e) {
        const field = e instanceof ChannelError ? e.field : "data";
        return err(47003, `argument invalid! ${field} invalid`);
      }
      if (app?.pages && msg.page !== undefined && !app.pages.includes(msg.page.split("?")[0] ?? "")) return err(41030, "invalid page");
      const left = f.quota.get(msg.template_id) ?? 0;
      if (left <= 0) return err(43101, "user refuse to accept the msg");
      f.quota.set(msg.template_id, left - 1);
      sent.subscribe.push(msg);
      return ok({ msgid: 300_000 + sent.subscribe.length });
    }),
  ];

  function contactEvent(corpId: string, type: "del_external_contact" | "del_follow_user", p: { userId: string; externalUserId: string }): CallbackDelivery {
    friends.delete(friendKey(corpId, p.userId, p.externalUserId));
    return deliver(corpId, { ...header(corpId), type, userId: p.userId, externalUserId: p.externalUserId });
  }

  return {
    handlers,
    calls,
    callsTo: (path) => calls.filter((c) => c.path === path),
    failNext(path, failure, times = 1) {
      failures.set(path, { failure, times });
    },
    expireTokens() {
      for (const t of tokens.values()) t.expiresAt = Math.min(t.expiresAt, opts.now());
    },
    revokeTokens() {
      for (const t of tokens.values()) t.revoked = true;
    },

    addExternalContact(corpId, p) {
      corp(corpId);
      friends.add(friendKey(corpId, p.userId, p.externalUserId));
      let welcomeCode: string | undefined;
      if (p.withWelcomeCode !== false) {
        welcomeCode = nextId("WELCOME");
        welcomeCodes.set(welcomeCode, { corpId, userId: p.userId, externalUserId: p.externalUserId, issuedAt: opts.now(), used: false });
      }
      const event: CallbackEvent = {
        ...header(corpId),
        type: "add_external_contact",
        userId: p.userId,
        externalUserId: p.externalUserId,
        ...(p.state === undefined ? {} : { state: p.state }),
        ...(welcomeCode === undefined ? {} : { welcomeCode }),
      };
      return { ...deliver(corpId, event), ...(welcomeCode === undefined ? {} : { welcomeCode }) };
    },
    staffDeletesCustomer: (corpId, p) => contactEvent(corpId, "del_external_contact", p),
    customerDeletesStaff: (corpId, p) => contactEvent(corpId, "del_follow_user", p),
    callback: deliver,
    urlVerification(corpId) {
      const c = corp(corpId);
      const expectedEcho = String(1_000_000_000 + (++seq));
      const echostr = encrypt(expectedEcho, { encodingAesKey: c.encodingAesKey, receiveId: c.corpId, ...(opts.random16 ? { random16: opts.random16 } : {}) });
      const timestamp = String(Math.floor(opts.now() / 1000));
      const nonce = nextId("n");
      return { query: { msg_signature: sign(c.token, timestamp, nonce, echostr), timestamp, nonce, echostr }, expectedEcho };
    },
    isFriend: (corpId, userId, ext) => friends.has(friendKey(corpId, userId, ext)),
    welcomeSent,
    tasks,
    setSendStatus(msgid, externalUserId, status) {
      const task = tasks.get(msgid);
      if (!task) throw new Error(`fake: unknown msgid ${msgid}`);
      const row = task.results.find((r) => r.external_userid === externalUserId);
      if (!row) throw new Error(`fake: ${externalUserId} is not in task ${msgid}`);
      row.status = status;
      if (status === 1) row.send_time = Math.floor(opts.now() / 1000);
      else delete row.send_time;
    },
    confirmTask(msgid) {
      const task = tasks.get(msgid);
      if (!task) throw new Error(`fake: unknown msgid ${msgid}`);
      for (const r of task.results) {
        if (r.status !== 0) continue;
        // A customer who left meanwhile shows as "not a friend" rather than sent.
        const stillFriend = r.external_userid !== undefined && friends.has(friendKey(task.corpId, r.userid, r.external_userid));
        r.status = stillFriend ? 1 : 2;
        if (stillFriend) r.send_time = Math.floor(opts.now() / 1000);
      }
    },
    moments,
    corpTags,
    tagsOf: (corpId, userId, ext) => [...(customerTags.get(friendKey(corpId, userId, ext)) ?? [])],
    momentAudience(jobid) {
      const m = moments.find((x) => x.jobid === jobid);
      if (!m) throw new Error(`fake: unknown moment job ${jobid}`);
      const senders = new Set(m.request.visible_range?.sender_list?.user_list ?? []);
      const tags = m.request.visible_range?.external_contact_list?.tag_list;
      const seen: string[] = [];
      for (const key of friends) {
        const [c, userId, ext] = key.split("\u0000") as [string, string, string];
        if (c !== m.corpId || !senders.has(userId)) continue;
        if (tags?.length && !tags.some((t) => customerTags.get(key)?.has(t))) continue;
        seen.push(ext);
      }
      return [...new Set(seen)].sort();
    },

    follow(appId, openid, p = {}) {
      const f = follower(appId, openid) ?? { subscribed: true, quota: new Map<string, number>() };
      f.subscribed = true;
      if (p.lastInteractionAt !== undefined) f.lastInteractionAt = p.lastInteractionAt;
      followers.set(followerKey(appId, openid), f);
    },
    unfollow(appId, openid) {
      const f = follower(appId, openid);
      if (f) f.subscribed = false;
    },
    interact(appId, openid, at) {
      const f = follower(appId, openid);
      if (!f) throw new Error(`fake: ${openid} does not follow ${appId}`);
      f.lastInteractionAt = at ?? opts.now();
    },
    grantSubscribe(appId, openid, templateId, n = 1) {
      let f = follower(appId, openid);
      if (!f) {
        f = { subscribed: true, quota: new Map() };
        followers.set(followerKey(appId, openid), f);
      }
      f.quota.set(templateId, (f.quota.get(templateId) ?? 0) + n);
    },
    subscribeQuota: (appId, openid, templateId) => follower(appId, openid)?.quota.get(templateId) ?? 0,
    sent,
  };
}
