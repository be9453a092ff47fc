/**
 * 群发助手 send slots and per-customer budgets (WECHAT.md "群发助手 budgets"), pure: a staff member's
 * due 群发 steps are gathered into daily slots (default 10:00 and 20:00 in their zone) — one task per
 * distinct content per slot, whatever the step's timing — and each customer receives at most
 * `perDay` a day (default 1), `perWeek` a week (unset) and `perMonth` a month (default: the month's
 * days), counted per calendar day in `budgetUtcOffsetMinutes` (China time, as WeCom counts).
 */
export const DEFAULT_SLOTS: readonly string[] = Object.freeze(["10:00", "20:00"]);
export const DEFAULT_SLOT_ZONE = "Asia/Shanghai";

/** A workspace's `settings.massSend`. */
export interface MassSendSettings {
  /** "HH:mm" times of day, in `timezone` (default 10:00 and 20:00). */
  slots?: string[];
  /** Zone of the slots (default: the workspace's `timezone`, else Asia/Shanghai). */
  timezone?: string;
  budget?: MassSendBudget;
}

export interface MassSendBudget {
  /** 群发 per customer per day (default 1: WeCom's strictest reading). */
  perDay?: number;
  /** per customer per week (Monday–Sunday; default: no weekly limit). */
  perWeek?: number;
  /** per customer per calendar month (default: the number of days of that month). */
  perMonth?: number;
}

const DAY = 86_400_000;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight of "HH:mm", or undefined when it is not one. */
export function slotMinutes(text: string): number | undefined {
  const m = HHMM.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** Problems with a slots / budget setting, each naming the field (empty when valid). */
export function massSendSettingsIssues(s: MassSendSettings): string[] {
  const issues: string[] = [];
  if (s.slots !== undefined) {
    if (s.slots.length === 0 || s.slots.length > 24) issues.push(`massSend.slots: between 1 and 24 times of day, got ${s.slots.length}`);
    s.slots.forEach((t, i) => {
      if (slotMinutes(t) === undefined) issues.push(`massSend.slots[${i}]: "${t}" is not a time of day "HH:mm"`);
    });
    if (new Set(s.slots).size !== s.slots.length) issues.push("massSend.slots: a time is listed twice");
  }
  const limits: Array<[keyof MassSendBudget, number]> = [["perDay", 31], ["perWeek", 31], ["perMonth", 31]];
  for (const [k, max] of limits) {
    const v = s.budget?.[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > max)) issues.push(`massSend.budget.${k}: an integer from 1 to ${max} (WeCom allows at most the month's days a month), got ${v}`);
  }
  return issues;
}

/** Offset of `zone` from UTC at `at`, in ms (Intl only: no table to keep up to date). */
function offsetMs(at: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" }).formatToParts(new Date(at));
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - Math.floor(at / 1000) * 1000;
}

/** The instant of wall-clock `minutes` on the local day `localDay` (days since 1970-01-01) in `zone`. */
function wallInstant(localDay: number, minutes: number, zone: string): number {
  const wall = localDay * DAY + minutes * 60_000;
  let at = wall - offsetMs(wall, zone);
  at = wall - offsetMs(at, zone); // again, in case the first guess crossed a DST change
  return at;
}

/** The first slot at or after `at` (epoch ms) for `slots` ("HH:mm") in `zone`. */
export function slotAt(at: number, slots: readonly string[], zone: string): number {
  const minutes = slots.map(slotMinutes).filter((m): m is number => m !== undefined).sort((a, b) => a - b);
  if (minutes.length === 0) return at;
  const today = Math.floor((at + offsetMs(at, zone)) / DAY);
  for (let day = today - 1; day <= today + 2; day++) {
    for (const m of minutes) {
      const slot = wallInstant(day, m, zone);
      if (slot >= at) return slot;
    }
  }
  return at; // unreachable: a slot exists every day
}

/** One calendar day key "YYYY-MM-DD" of `at` at `offsetMinutes` from UTC. */
export function dayKey(at: number, offsetMinutes = 480): string {
  return new Date(at + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

export interface BudgetCheck {
  ok: boolean;
  /** when not ok: the first instant the customer may receive another 群发 (next period start) */
  retryAt?: number;
  message?: string;
}

/**
 * May a customer who received `sentByDay` (day key → count, pending or sent) get one more 群发 in
 * the slot at `at`? Counted per calendar day at `offsetMinutes` (China time by default).
 */
export function checkBudget(sentByDay: ReadonlyMap<string, number>, at: number, budget: MassSendBudget = {}, offsetMinutes = 480): BudgetCheck {
  const local = new Date(at + offsetMinutes * 60_000);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const d = local.getUTCDate();
  const start = (utcMidnight: number) => utcMidnight - offsetMinutes * 60_000;
  const sum = (from: string, to: string) => [...sentByDay].reduce((n, [k, c]) => (k >= from && k < to ? n + c : n), 0);
  const key = (utcMidnight: number) => new Date(utcMidnight).toISOString().slice(0, 10);
  const daysInMonth = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const monday = Date.UTC(y, m, d) - ((local.getUTCDay() + 6) % 7) * DAY;
  const periods: Array<{ name: string; cap: number | undefined; from: number; to: number }> = [
    { name: "day", cap: budget.perDay ?? 1, from: Date.UTC(y, m, d), to: Date.UTC(y, m, d) + DAY },
    { name: "week", cap: budget.perWeek, from: monday, to: monday + 7 * DAY },
    { name: "month", cap: budget.perMonth ?? daysInMonth, from: Date.UTC(y, m, 1), to: Date.UTC(y, m + 1, 1) },
  ];
  let blocked: BudgetCheck | undefined;
  for (const p of periods) {
    if (p.cap === undefined) continue;
    const used = sum(key(p.from), key(p.to));
    if (used >= p.cap && (!blocked || start(p.to) > blocked.retryAt!)) {
      blocked = { ok: false, retryAt: start(p.to), message: `customer already received ${used} of ${p.cap} 群发 this ${p.name} (from ${key(p.from)})` };
    }
  }
  return blocked ?? { ok: true };
}
