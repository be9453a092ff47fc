/**
 * Pure bookkeeping for WeCom mass-send caps (WECHAT.md):
 * - per customer, at most N mass messages per period. Current doc: N = days in the month; the admin
 *   may set 7 a week or 1 a day; an older doc said 4 a month. All configurable.
 * - remind_groupmsg_send: at most 3 reminders per task per sliding 24 h.
 * Periods are counted in China time (UTC+8) by default, as WeCom does, so a month does not roll
 * over at 08:00 Beijing time.
 */

/** Counting period of the per-customer cap. */
export type CapPeriod = "month" | "week" | "day";

/** Per-customer cap policy. */
export interface CustomerCapPolicy {
  period: CapPeriod;
  /** Messages per period; default for "month" is the number of days in that month, for week 7, for day 1. */
  cap?: number;
  /** Offset of the counting time zone from UTC in minutes (default 480, China Standard Time). */
  utcOffsetMinutes?: number;
}

/** The default policy: days-in-month per calendar month, China time. */
export const DEFAULT_CUSTOMER_CAP: Readonly<CustomerCapPolicy> = Object.freeze({ period: "month" });

/** Persisted counter of one customer (or customer × staff) for one period. */
export interface SendCounter {
  /** Period key, e.g. "2025-02", "2025-W-02-10" (Monday), "2025-02-14". */
  period: string;
  count: number;
}

/** Why a mass send / reminder must wait. `retryAt` is when it becomes allowed (epoch ms). */
export interface MassSendLimitError {
  code: "customer_cap_reached" | "remind_limit_reached";
  message: string;
  limit: number;
  retryAt: number;
}

/** ok, or the typed reason with the time it clears. */
export type LimitCheck = { ok: true; remaining: number } | { ok: false; error: MassSendLimitError };

const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, "0");

/** Days in a month (month 1-12). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

interface PeriodInfo {
  key: string;
  /** First instant of the next period (epoch ms). */
  nextStart: number;
  cap: number;
}

function periodInfo(now: number, policy: CustomerCapPolicy): PeriodInfo {
  const offset = (policy.utcOffsetMinutes ?? 480) * 60_000;
  const local = new Date(now + offset); // read with getUTC* = wall-clock time in the zone
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth(); // 0-based
  const d = local.getUTCDate();
  const cap = (dflt: number) => {
    const c = policy.cap ?? dflt;
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`cap must be a non-negative integer, got ${c}`);
    return c;
  };
  switch (policy.period) {
    case "month":
      return { key: `${y}-${pad(m + 1)}`, nextStart: Date.UTC(y, m + 1, 1) - offset, cap: cap(daysInMonth(y, m + 1)) };
    case "week": {
      const sinceMonday = (local.getUTCDay() + 6) % 7;
      const monday = Date.UTC(y, m, d) - sinceMonday * DAY;
      const md = new Date(monday);
      return { key: `${md.getUTCFullYear()}-W-${pad(md.getUTCMonth() + 1)}-${pad(md.getUTCDate())}`, nextStart: monday + 7 * DAY - offset, cap: cap(7) };
    }
    case "day":
      return { key: `${y}-${pad(m + 1)}-${pad(d)}`, nextStart: Date.UTC(y, m, d) + DAY - offset, cap: cap(1) };
    default:
      throw new RangeError(`unknown period ${String((policy as { period?: unknown }).period)}`);
  }
}

/** Period key `now` falls in under `policy`. */
export function capPeriodKey(now: number, policy: CustomerCapPolicy = DEFAULT_CUSTOMER_CAP): string {
  return periodInfo(now, policy).key;
}

/** May this customer get one more mass message now? A counter from an older period counts as 0. */
export function checkCustomerCap(counter: SendCounter | undefined, now: number, policy: CustomerCapPolicy = DEFAULT_CUSTOMER_CAP): LimitCheck {
  const p = periodInfo(now, policy);
  const used = counter?.period === p.key ? counter.count : 0;
  if (used < p.cap) return { ok: true, remaining: p.cap - used };
  return {
    ok: false,
    error: {
      code: "customer_cap_reached",
      limit: p.cap,
      retryAt: p.nextStart,
      message: `customer already received ${used} of ${p.cap} mass messages this ${policy.period} (${p.key})`,
    },
  };
}

/**
 * Counter after one more mass message. Record when WeCom reports it sent (status 1) - or at task
 * creation if you prefer to be conservative - but consistently.
 */
export function recordCustomerSend(counter: SendCounter | undefined, now: number, policy: CustomerCapPolicy = DEFAULT_CUSTOMER_CAP): SendCounter {
  const key = periodInfo(now, policy).key;
  return { period: key, count: counter?.period === key ? counter.count + 1 : 1 };
}

/** remind_groupmsg_send limit. */
export interface RemindPolicy {
  /** Reminders per task per window (3). */
  max?: number;
  /** Sliding window (24 h). */
  windowMs?: number;
}

/** May the task be reminded now? `history` = epoch ms of earlier reminders of this task. */
export function checkRemind(history: readonly number[], now: number, policy: RemindPolicy = {}): LimitCheck {
  const max = policy.max ?? 3;
  const windowMs = policy.windowMs ?? DAY;
  const recent = history.filter((t) => t > now - windowMs && t <= now).sort((a, b) => a - b);
  if (recent.length < max) return { ok: true, remaining: max - recent.length };
  // The oldest reminder that keeps us at the cap must leave the window first.
  const oldest = recent[recent.length - max] ?? now;
  return {
    ok: false,
    error: {
      code: "remind_limit_reached",
      limit: max,
      retryAt: oldest + windowMs,
      message: `task already reminded ${recent.length} times in the last ${Math.round(windowMs / 3_600_000)} h (max ${max})`,
    },
  };
}

/** History after a reminder at `now`, pruned to the window so the stored list stays small. */
export function recordRemind(history: readonly number[], now: number, policy: RemindPolicy = {}): number[] {
  const windowMs = policy.windowMs ?? DAY;
  return [...history.filter((t) => t > now - windowMs), now].sort((a, b) => a - b);
}
