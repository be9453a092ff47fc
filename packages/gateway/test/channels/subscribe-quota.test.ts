import { describe, expect, it } from "vitest";
import {
  consumeQuota,
  emptyQuotaBook,
  grantFromSubscribeResult,
  grantQuota,
  markRefused,
  refundQuota,
  remainingQuota,
} from "../../src/channels/wechat/subscribe-quota.js";

describe("subscribe quota bookkeeping", () => {
  it("grants one per accept from wx.requestSubscribeMessage and ignores errMsg", () => {
    const { book, accepted, notAccepted } = grantFromSubscribeResult(emptyQuotaBook(), "o1", {
      errMsg: "requestSubscribeMessage:ok",
      TPL_A: "accept",
      TPL_B: "reject",
      TPL_C: "ban",
    });
    expect(accepted).toEqual(["TPL_A"]);
    expect(notAccepted).toEqual(["TPL_B", "TPL_C"]);
    expect(remainingQuota(book, "o1", "TPL_A")).toBe(1);
    expect(remainingQuota(book, "o1", "TPL_B")).toBe(0);
  });

  it("refuses a result covering more than 3 templates", () => {
    expect(() => grantFromSubscribeResult(emptyQuotaBook(), "o1", { A: "accept", B: "accept", C: "accept", D: "accept" })).toThrow(/at most 3/);
  });

  it("accumulates grants, consumes one per send and refuses at 0 with a clear error", () => {
    let book = grantQuota(emptyQuotaBook(), "o1", "TPL_A", 2);
    book = grantFromSubscribeResult(book, "o1", { TPL_A: "accept" }).book;
    for (const expected of [2, 1, 0]) {
      const r = consumeQuota(book, "o1", "TPL_A");
      if (!r.ok) throw r.error;
      expect(r.remaining).toBe(expected);
      book = r.book;
    }
    const refused = consumeQuota(book, "o1", "TPL_A");
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error).toMatchObject({ code: "subscribe_quota_exhausted", permanent: true, provider: "wechat" });
      expect(refused.error.message).toContain("TPL_A");
    }
  });

  it("is pure: inputs are never mutated and the book is JSON round-trippable", () => {
    const before = grantQuota(emptyQuotaBook(), "o1", "T", 1);
    const snapshot = JSON.stringify(before);
    const r = consumeQuota(before, "o1", "T");
    expect(JSON.stringify(before)).toBe(snapshot);
    expect(r.ok && JSON.parse(JSON.stringify(r.book))).toEqual({ o1: { T: 0 } });
  });

  it("keeps users and templates apart; refund and 43101 reset work", () => {
    let book = grantQuota(emptyQuotaBook(), "o1", "T", 3);
    book = grantQuota(book, "o2", "T", 1);
    expect(remainingQuota(book, "o2", "T")).toBe(1);
    expect(remainingQuota(book, "o1", "U")).toBe(0);
    book = refundQuota(book, "o2", "T");
    expect(remainingQuota(book, "o2", "T")).toBe(2);
    book = markRefused(book, "o1", "T");
    expect(remainingQuota(book, "o1", "T")).toBe(0);
    expect(() => grantQuota(book, "o1", "T", 0)).toThrow(/positive integer/);
  });
});
