import { MAX_DURATION_MS, MIN_MOMENTS_PERIOD_MS, parseDuration } from "@sopline/core";

const DAY_MS = 86_400_000;

/** How a staff member's Moments calendar is kept (gateway options, workspace `settings.moments`). */
export interface MomentsPolicyInput {
  /** A content is posted at most once per staff member per period (default "7d"; at least 1 day). */
  period?: string | number;
  /** Posts per staff member per day; further ones wait for the next day (default 1). */
  postsPerStaffPerDay?: number;
  /** Offset of the zone whose days the cap counts, in minutes from UTC (default 480, China time). */
  utcOffsetMinutes?: number;
}

export interface MomentsPolicy {
  periodMs: number;
  postsPerStaffPerDay: number;
  utcOffsetMinutes: number;
}

export const DEFAULT_MOMENTS_POLICY: Readonly<MomentsPolicy> = Object.freeze({ periodMs: 7 * DAY_MS, postsPerStaffPerDay: 1, utcOffsetMinutes: 480 });

/** A bad Moments setting: `path` names it (e.g. `settings.moments.period`). */
export class MomentsSettingError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = "MomentsSettingError";
    this.path = path;
  }
}

/** A period as milliseconds (months count 30 days: periods are short), or a clear error at `path`. */
export function periodMs(value: unknown, path: string): number {
  const parsed = parseDuration(value);
  if (typeof parsed === "string") throw new MomentsSettingError(path, parsed);
  const ms = parsed.months * 30 * DAY_MS + parsed.days * DAY_MS + parsed.ms;
  const shown = typeof value === "number" ? `${value} ms` : JSON.stringify(value);
  if (ms < MIN_MOMENTS_PERIOD_MS) throw new MomentsSettingError(path, `${shown} is below the minimum of 1 day`);
  if (ms > MAX_DURATION_MS) throw new MomentsSettingError(path, `${shown} is longer than the maximum of 10 years`);
  return ms;
}

/**
 * Validates `input` over `base`: the gateway's options over the defaults, a workspace's
 * `settings.moments` over the gateway's. Throws {@link MomentsSettingError} naming the field.
 */
export function resolveMomentsPolicy(input: unknown, base: MomentsPolicy = DEFAULT_MOMENTS_POLICY, path = "moments"): MomentsPolicy {
  if (input === undefined || input === null) return base;
  if (typeof input !== "object" || Array.isArray(input)) throw new MomentsSettingError(path, `expected an object, got ${JSON.stringify(input)}`);
  const o = input as Record<string, unknown>;
  const known = new Set(["period", "postsPerStaffPerDay", "utcOffsetMinutes"]);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new MomentsSettingError(`${path}.${k}`, `unknown setting (known: ${[...known].join(", ")})`);
  const out = { ...base };
  if (o["period"] !== undefined) out.periodMs = periodMs(o["period"], `${path}.period`);
  const cap = o["postsPerStaffPerDay"];
  if (cap !== undefined) {
    if (typeof cap !== "number" || !Number.isInteger(cap) || cap < 1 || cap > 100) throw new MomentsSettingError(`${path}.postsPerStaffPerDay`, `expected a whole number from 1 to 100, got ${JSON.stringify(cap)}`);
    out.postsPerStaffPerDay = cap;
  }
  const offset = o["utcOffsetMinutes"];
  if (offset !== undefined) {
    if (typeof offset !== "number" || !Number.isInteger(offset) || Math.abs(offset) > 14 * 60) throw new MomentsSettingError(`${path}.utcOffsetMinutes`, `expected whole minutes within ±840, got ${JSON.stringify(offset)}`);
    out.utcOffsetMinutes = offset;
  }
  return out;
}

/** Start of the local day holding `at` and of the next one (epoch ms), in the policy's zone. */
export function localDay(at: number, utcOffsetMinutes: number): { start: number; next: number } {
  const offset = utcOffsetMinutes * 60_000;
  const start = Math.floor((at + offset) / DAY_MS) * DAY_MS - offset;
  return { start, next: start + DAY_MS };
}

/**
 * When a post held by the daily cap tries again: its slot's time of day (a 20:00 step stays an
 * evening post) on the first day from `notBefore` on.
 */
export function nextSlotFrom(slot: number, notBefore: number): number {
  if (slot >= notBefore) return slot;
  return slot + Math.ceil((notBefore - slot) / DAY_MS) * DAY_MS;
}
