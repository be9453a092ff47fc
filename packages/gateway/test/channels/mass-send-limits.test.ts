import { describe, expect, it } from "vitest";
import { capPeriodKey, checkCustomerCap, checkRemind, daysInMonth, recordCustomerSend, recordRemind, type SendCounter } from "../../src/channels/wecom/mass-send-limits.js";

const H = 3_600_000;
// Beijing wall-clock time → epoch ms.
const cst = (y: number, m: number, d: number, h = 12) => Date.UTC(y, m - 1, d, h) - 8 * H;

describe("per-customer mass-send cap", () => {
  it("defaults to the number of days in the month", () => {
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2025, 2)).toBe(28);
    let c: SendCounter | undefined;
    for (let i = 0; i < 28; i++) {
      const r = checkCustomerCap(c, cst(2025, 2, 10));
      expect(r.ok).toBe(true);
      c = recordCustomerSend(c, cst(2025, 2, 10));
    }
    const refused = checkCustomerCap(c, cst(2025, 2, 28, 23));
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error).toMatchObject({ code: "customer_cap_reached", limit: 28, retryAt: cst(2025, 3, 1, 0) });
    }
    // March has its own count (and 31 slots).
    expect(checkCustomerCap(c, cst(2025, 3, 1, 0))).toEqual({ ok: true, remaining: 31 });
  });

  it("counts months in China time: 2025-03-01 00:30 CST is March although UTC says February", () => {
    const t = cst(2025, 3, 1, 0) + 30 * 60_000;
    expect(new Date(t).getUTCMonth()).toBe(1);
    expect(capPeriodKey(t)).toBe("2025-03");
  });

  it("supports the older 4-a-month rule and the admin's 1-a-day / 7-a-week settings", () => {
    const four = { period: "month" as const, cap: 4 };
    let c: SendCounter | undefined;
    for (let i = 0; i < 4; i++) c = recordCustomerSend(c, cst(2025, 5, 2), four);
    expect(checkCustomerCap(c, cst(2025, 5, 20), four).ok).toBe(false);

    const daily = { period: "day" as const };
    const d = recordCustomerSend(undefined, cst(2025, 5, 2, 9), daily);
    const r = checkCustomerCap(d, cst(2025, 5, 2, 22), daily);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.retryAt).toBe(cst(2025, 5, 3, 0));
    expect(checkCustomerCap(d, cst(2025, 5, 3, 0), daily).ok).toBe(true);

    const weekly = { period: "week" as const };
    // 2025-05-05 is a Monday.
    expect(capPeriodKey(cst(2025, 5, 11, 23), weekly)).toBe(capPeriodKey(cst(2025, 5, 5, 0), weekly));
    expect(capPeriodKey(cst(2025, 5, 12, 0), weekly)).not.toBe(capPeriodKey(cst(2025, 5, 11, 23), weekly));
    let w: SendCounter | undefined;
    for (let i = 0; i < 7; i++) w = recordCustomerSend(w, cst(2025, 5, 6), weekly);
    const wr = checkCustomerCap(w, cst(2025, 5, 8), weekly);
    expect(!wr.ok && wr.error.retryAt).toBe(cst(2025, 5, 12, 0));
  });
});

describe("remind limit (3 per task per sliding 24 h)", () => {
  const t0 = Date.UTC(2025, 0, 1);
  it("allows 3, refuses the 4th until the oldest leaves the window", () => {
    let h: number[] = [];
    for (const t of [t0, t0 + H, t0 + 2 * H]) {
      expect(checkRemind(h, t).ok).toBe(true);
      h = recordRemind(h, t);
    }
    const r = checkRemind(h, t0 + 3 * H);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: "remind_limit_reached", limit: 3, retryAt: t0 + 24 * H });
    expect(checkRemind(h, t0 + 24 * H - 1).ok).toBe(false);
    expect(checkRemind(h, t0 + 24 * H)).toEqual({ ok: true, remaining: 1 });
  });

  it("with more than 3 reminders in the window (e.g. sent elsewhere), waits for enough of them to expire", () => {
    const h = [t0, t0 + H, t0 + 2 * H, t0 + 3 * H];
    const r = checkRemind(h, t0 + 4 * H);
    expect(!r.ok && r.error.retryAt).toBe(t0 + H + 24 * H);
  });

  it("prunes history outside the window when recording", () => {
    const h = recordRemind([t0, t0 + H], t0 + 30 * H);
    expect(h).toEqual([t0 + 30 * H]);
  });
});
