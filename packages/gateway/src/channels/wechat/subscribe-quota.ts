/**
 * Mini-program one-time subscribe quota bookkeeping. One "accept" in wx.requestSubscribeMessage
 * allows exactly one /cgi-bin/message/subscribe/send for that (user, template), grants accumulate,
 * and WeChat offers no API to read what is left, so we count. Pure data in / data out: the gateway
 * persists the book and must apply consume/refund atomically with its send bookkeeping.
 */
import { ChannelError, invalidRequest } from "../errors.js";

/** Remaining sends per template id for one user. */
export type SubscribeQuota = Readonly<Record<string, number>>;
/** Remaining sends per openid → template id. JSON-serialisable. */
export type SubscribeQuotaBook = Readonly<Record<string, SubscribeQuota>>;

/** What wx.requestSubscribeMessage resolves with: `{ errMsg, [templateId]: "accept" | "reject" | "ban" | "filter" }`. */
export type RequestSubscribeResult = Readonly<Record<string, string>>;

/** wx.requestSubscribeMessage asks for at most 3 templates at a time. */
export const MAX_TEMPLATES_PER_REQUEST = 3;

/** An empty book. */
export const emptyQuotaBook = (): SubscribeQuotaBook => ({});

/** Sends left for (openid, templateId). */
export function remainingQuota(book: SubscribeQuotaBook, openid: string, templateId: string): number {
  return book[openid]?.[templateId] ?? 0;
}

function setQuota(book: SubscribeQuotaBook, openid: string, templateId: string, n: number): SubscribeQuotaBook {
  return { ...book, [openid]: { ...book[openid], [templateId]: n } };
}

/** Adds `n` (a positive integer) authorisations. */
export function grantQuota(book: SubscribeQuotaBook, openid: string, templateId: string, n = 1): SubscribeQuotaBook {
  if (!Number.isInteger(n) || n < 1) throw invalidRequest("wechat", "n", `grant must be a positive integer, got ${n}`);
  return setQuota(book, openid, templateId, remainingQuota(book, openid, templateId) + n);
}

/** Outcome of {@link grantFromSubscribeResult}. */
export interface GrantOutcome {
  book: SubscribeQuotaBook;
  accepted: string[];
  /** "reject", "ban" (template banned) or "filter" (template filtered): nothing granted. */
  notAccepted: string[];
}

/**
 * Applies a wx.requestSubscribeMessage success result: +1 per "accept". A refusal does not erase
 * earlier grants (WeChat keeps them); a later 43101 is what tells us they are gone (see markRefused).
 */
export function grantFromSubscribeResult(book: SubscribeQuotaBook, openid: string, result: RequestSubscribeResult): GrantOutcome {
  const entries = Object.entries(result).filter(([k]) => k !== "errMsg");
  if (entries.length > MAX_TEMPLATES_PER_REQUEST) {
    throw invalidRequest("wechat", "result", `wx.requestSubscribeMessage covers at most ${MAX_TEMPLATES_PER_REQUEST} templates, got ${entries.length}`, MAX_TEMPLATES_PER_REQUEST);
  }
  let next = book;
  const accepted: string[] = [];
  const notAccepted: string[] = [];
  for (const [templateId, status] of entries) {
    if (status === "accept") {
      next = grantQuota(next, openid, templateId, 1);
      accepted.push(templateId);
    } else {
      notAccepted.push(templateId);
    }
  }
  return { book: next, accepted, notAccepted };
}

/** Result of {@link consumeQuota}. */
export type ConsumeResult = { ok: true; book: SubscribeQuotaBook; remaining: number } | { ok: false; error: ChannelError };

/** Takes one authorisation before a send; refuses with a clear error when none is left. */
export function consumeQuota(book: SubscribeQuotaBook, openid: string, templateId: string): ConsumeResult {
  const left = remainingQuota(book, openid, templateId);
  if (left <= 0) {
    return {
      ok: false,
      error: new ChannelError({
        code: "subscribe_quota_exhausted",
        permanent: true,
        provider: "wechat",
        message: `no subscribe authorisation left for template ${templateId} and user ${openid}: the user must accept it again in the mini-program`,
      }),
    };
  }
  return { ok: true, book: setQuota(book, openid, templateId, left - 1), remaining: left - 1 };
}

/** Gives one authorisation back after a send that certainly did not go out (validation, transient error before delivery). */
export function refundQuota(book: SubscribeQuotaBook, openid: string, templateId: string): SubscribeQuotaBook {
  return grantQuota(book, openid, templateId, 1);
}

/** WeChat answered 43101: our count was too high (user switched notifications off); reset to 0. */
export function markRefused(book: SubscribeQuotaBook, openid: string, templateId: string): SubscribeQuotaBook {
  return setQuota(book, openid, templateId, 0);
}
