import { type Span, approxMs } from "./duration.js";
import { DAY_MS, MINUTE_MS } from "./zone.js";

// Limits that fit the domain (touches days or weeks apart, SOPs of a few dozen steps per stage) and
// keep the work of one request, one tick and one stored state bounded. Validation enforces the
// definition limits; the engine enforces the per-tick budget and the simulation budget.

/** Largest journey version: versions are stored as a PostgreSQL `integer`. */
export const MAX_JOURNEY_VERSION = 2_147_483_647;
/** Longest duration anywhere in a definition (`after`, `repeat`, `silentFor`, `expireAfter` …): 10 years. */
export const MAX_DURATION_MS = 3_653 * DAY_MS;
/** Largest `day` of a step: the 10 years of {@link MAX_DURATION_MS}. */
export const MAX_STEP_DAY = 3_653;
/** Shortest `repeat.every`. */
export const MIN_REPEAT_EVERY_MS = MINUTE_MS;
/** Shortest `repeat.every` of a repeat without `times` or `for` (it recurs for as long as the stage lasts). */
export const MIN_OPEN_REPEAT_EVERY_MS = DAY_MS;
/** Most occurrences of one repeat: `times`, or what its `for` window yields. */
export const MAX_REPEAT_OCCURRENCES = 1_000;
/** Shortest `silentFor` of a transition. */
export const MIN_SILENT_FOR_MS = MINUTE_MS;
/** Shortest Moments `period` of a step: the cap on posts counts per day. */
export const MIN_MOMENTS_PERIOD_MS = DAY_MS;
/** Shortest `waitFor.timeout`. */
export const MIN_WAIT_TIMEOUT_MS = MINUTE_MS;
/** Most steps in one stage's SOP. */
export const MAX_STEPS_PER_STAGE = 200;
/** Most steps in one journey (all stages). */
export const MAX_STEPS_PER_JOURNEY = 1_000;
/** Most stages in one journey. */
export const MAX_STAGES = 100;
/** Most transitions in one journey. */
export const MAX_TRANSITIONS = 500;
/**
 * Most happenings (a step due or skipped, a wait's alternative or timeout, a stage entry) one tick
 * processes. The rest stay due: `nextWakeAt` is left in the past, so the next tick continues where
 * this one stopped and nothing is dropped or repeated. One enrollment with a backlog (after a long
 * downtime, or a stored definition from before these limits) then cannot hold a scheduler batch.
 */
export const TICK_BUDGET = 100;
/** Most happenings one {@link Journey.simulate} call processes (a bounded answer for `upcomingSteps`). */
export const SIMULATION_BUDGET = 10_000;

/** A span's length in days for limits: months count as 1/12 of a year with leap days. */
export function lengthMs(s: Span): number {
  return approxMs({ months: 0, days: s.days, ms: s.ms }) + s.months * (365.25 / 12) * DAY_MS;
}

/** "1 minute", "1 day", "10 years": how limits are named in messages. */
export function describeMs(ms: number): string {
  if (ms === MAX_DURATION_MS) return "10 years";
  if (ms % DAY_MS === 0) return ms === DAY_MS ? "1 day" : `${ms / DAY_MS} days`;
  return ms === MINUTE_MS ? "1 minute" : `${ms / MINUTE_MS} minutes`;
}
