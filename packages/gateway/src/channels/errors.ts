/**
 * One error type for every WeCom / WeChat channel failure, plus the classifier that decides whether
 * the scheduler may retry (transient) or must give up on this touch (permanent).
 *
 * Sources for the codes: WeCom global error code page (developer.work.weixin.qq.com path 90313, as
 * mirrored by WxJava's WxCpErrorMsgEnum), WeChat official-account / mini-program API pages
 * (message/custom/send, message/subscribe/send), the developer community threads quoting the
 * errmsg strings, and /work/shared/WECHAT.md.
 */

/** Which platform produced the error. */
export type ChannelProvider = "wecom" | "wechat";

/** Options for {@link ChannelError}. */
export interface ChannelErrorInit {
  code: number | string;
  permanent: boolean;
  provider: ChannelProvider;
  message: string;
  /** Request field at fault (validation errors), e.g. `data.thing1.value`. */
  field?: string;
  /** The documented limit that was exceeded, when there is one. */
  limit?: number;
  /** HTTP status when the failure came from the transport. */
  httpStatus?: number;
  cause?: unknown;
}

/**
 * A failed channel call. `permanent: true` means retrying the same request cannot succeed
 * (user refused, not a friend, bad field); `false` means a later retry may succeed.
 */
export class ChannelError extends Error {
  readonly code: number | string;
  readonly permanent: boolean;
  readonly provider: ChannelProvider;
  readonly field?: string;
  readonly limit?: number;
  readonly httpStatus?: number;

  constructor(init: ChannelErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "ChannelError";
    this.code = init.code;
    this.permanent = init.permanent;
    this.provider = init.provider;
    if (init.field !== undefined) this.field = init.field;
    if (init.limit !== undefined) this.limit = init.limit;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
  }
}

/** Narrowing helper usable on `unknown` catch values. */
export function isChannelError(e: unknown): e is ChannelError {
  return e instanceof ChannelError;
}

/** True when a retry of the same request may succeed. Non-channel errors count as not retryable. */
export function isTransient(e: unknown): boolean {
  return isChannelError(e) && !e.permanent;
}

/** Meaning and retry class of a known errcode. */
export interface ErrcodeInfo {
  permanent: boolean;
  meaning: string;
}

// Codes that mean the same on both platforms.
const SHARED: Record<number, ErrcodeInfo> = {
  // -1 系统繁忙 "system error": WeCom advises retrying, at most 3 times.
  [-1]: { permanent: false, meaning: "system busy" },
  // 40014 不合法的access_token / 42001 access_token已过期: refetch the token and retry (access-token.ts does it once).
  40014: { permanent: false, meaning: "invalid access_token" },
  42001: { permanent: false, meaning: "access_token expired" },
  // 45009: WeCom 接口调用超过限制 / WeChat "reach max api daily quota limit": back off, later calls succeed.
  45009: { permanent: false, meaning: "API call frequency / quota limit reached" },
  // 45033: WeCom 接口并发调用超过限制 (too many concurrent calls): back off.
  45033: { permanent: false, meaning: "too many concurrent calls" },
  // 41030: mini-program subscribe send "invalid page" (page path does not exist in the released version).
  41030: { permanent: true, meaning: "invalid page" },
  // 47003: "argument invalid!" - a template data field breaks its type rule (e.g. phrase > 5 chars).
  47003: { permanent: true, meaning: "argument invalid (template data)" },
  // 43101: "user refuse to accept the msg" - no subscribe authorisation left (one grant = one send).
  43101: { permanent: true, meaning: "user refused / no subscription left" },
  // 48001: "api unauthorized" - the account lacks the permission for this API.
  48001: { permanent: true, meaning: "api unauthorized" },
  // 48002: WeCom API接口无权限调用 (API forbidden for this app).
  48002: { permanent: true, meaning: "api forbidden" },
};

const WECOM: Record<number, ErrcodeInfo> = {
  // 40001: WeCom 不合法的secret参数 - configuration error, retrying cannot fix it.
  40001: { permanent: true, meaning: "invalid secret" },
  // 40003: WeCom 无效的UserID (the sender / staff member does not exist).
  40003: { permanent: true, meaning: "invalid userid" },
  // 40058: WeCom 不合法的参数 (request does not match the API contract).
  40058: { permanent: true, meaning: "invalid parameter" },
  // 40096: WeCom 不合法的外部联系人userid.
  40096: { permanent: true, meaning: "invalid external_userid" },
  // 41051: send_welcome_msg - welcome_code already used (another app answered first) or past its
  // 20-second life (WECHAT.md, path 92137). Never retry: the code is single-use.
  41051: { permanent: true, meaning: "welcome_code already used, expired, or not permitted" },
  // 41063: 群发消息正在被派发中，请稍后再试 - the mass-send task is still being dispatched.
  41063: { permanent: false, meaning: "mass-send task still dispatching" },
  // 60011: 指定的成员/部门/标签参数无权限 - staff member outside the app's visible range.
  60011: { permanent: true, meaning: "no privilege for this member" },
  // 84061: 不存在外部联系人的关系 "not external contact" - the customer is not (or no longer) a friend.
  84061: { permanent: true, meaning: "not an external contact of this member" },
};

const WECHAT: Record<number, ErrcodeInfo> = {
  // 40001: WeChat "invalid credential, access_token is invalid or not latest" - another process
  // refreshed the token; refetch and retry.
  40001: { permanent: false, meaning: "access_token invalid or not latest" },
  // 40003: WeChat "invalid openid" - touser is not an openid of this app.
  40003: { permanent: true, meaning: "invalid openid" },
  // 40013 invalid appid / 40125 invalid appsecret: configuration errors.
  40013: { permanent: true, meaning: "invalid appid" },
  40125: { permanent: true, meaning: "invalid appsecret" },
  // 40037: "invalid template_id".
  40037: { permanent: true, meaning: "invalid template_id" },
  // 43004: "require subscribe" - the follower unsubscribed from the official account.
  43004: { permanent: true, meaning: "user not subscribed" },
  // 45011: "api minute-quota reach limit" - retry after a minute.
  45011: { permanent: false, meaning: "api minute quota reached" },
  // 45015: "response out of time limit or subscription is canceled" - outside the 48 h
  // customer-service window; only a new user interaction reopens it.
  45015: { permanent: true, meaning: "outside the 48-hour customer-service window" },
  // 45047: "out of response count limit" - too many customer-service messages since the user's
  // last interaction; only a new interaction resets it.
  45047: { permanent: true, meaning: "customer-service message count limit reached" },
};

/** What a numeric errcode means for a provider, when the code is known. */
export function describeErrcode(provider: ChannelProvider, errcode: number): ErrcodeInfo | undefined {
  const specific = provider === "wecom" ? WECOM[errcode] : WECHAT[errcode];
  return specific ?? SHARED[errcode];
}

/**
 * Turns a non-zero `errcode` into a {@link ChannelError}. Unknown codes are treated as permanent:
 * retrying an unknown rejection of a *send* risks duplicate messages more than it helps.
 */
export function classifyErrcode(provider: ChannelProvider, errcode: number, errmsg = ""): ChannelError {
  const info = describeErrcode(provider, errcode);
  const meaning = info?.meaning ?? "unknown error";
  return new ChannelError({
    code: errcode,
    permanent: info?.permanent ?? true,
    provider,
    message: `${provider} errcode ${errcode} (${meaning})${errmsg ? `: ${errmsg}` : ""}`,
  });
}

/** HTTP-level failure: 5xx and 429 are transient, other statuses permanent. */
export function classifyHttpStatus(provider: ChannelProvider, status: number, body = ""): ChannelError {
  const transient = status >= 500 || status === 429 || status === 408;
  return new ChannelError({
    code: `http_${status}`,
    permanent: !transient,
    provider,
    httpStatus: status,
    message: `${provider} HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ""}`,
  });
}

/** Network failure (DNS, reset, timeout): always transient. */
export function networkError(provider: ChannelProvider, cause: unknown): ChannelError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ChannelError({ code: "network", permanent: false, provider, cause, message: `${provider} network error: ${detail}` });
}

/** A request rejected by our own validation before any HTTP call; never retryable. */
export function invalidRequest(provider: ChannelProvider, field: string, message: string, limit?: number): ChannelError {
  return new ChannelError({
    code: "invalid_request",
    permanent: true,
    provider,
    field,
    ...(limit === undefined ? {} : { limit }),
    message: `${field}: ${message}`,
  });
}
