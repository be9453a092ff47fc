import type { CompiledJourney } from "./compile.js";
import type { JourneyState } from "./state.js";
import { nextOpening } from "./window.js";
import { ZoneClock } from "./zone.js";

/**
 * What a workspace-wide cap needs to know about one due step of one customer: whether it counts,
 * which goes first, and when else it could go out. Pure: the gateway counts the touches.
 */
export interface TouchPlan {
  kind: "marketing" | "service";
  /** 0–100, higher goes first. */
  priority: number;
  /** The customer's local calendar day of an instant (a day number). */
  day(at: number): number;
  /** The step's next opening at or after `at` (its window and quiet hours, in the customer's zone); null if never. */
  nextOpening(at: number): number | null;
  /** The same local time of day as `at`, `days` days later, moved into the step's window. */
  daysLater(at: number, days: number): number | null;
}

/** A customer's marketing cap: touches per local day and per any 7 consecutive local days. */
export interface MarketingCap {
  perDay?: number;
  perWeek?: number;
}

/**
 * Least time between a deferred touch and the customer's other touches: deferred touches never pile
 * up at a window's start. A touch due right at a window's opening (moved there by its window or
 * quiet hours: a follower at 23:30 whose evening steps wait for 08:00) keeps the same distance.
 */
export const DEFERRED_GAP_MS = 60 * 60_000;
// Days a deferral may look ahead before it gives up and keeps the last time it found (never drops).
const MAX_TRIES = 1_000;
const MINUTE_MS = 60_000;

export function touchPlanOf(j: CompiledJourney, state: JourneyState, stageId: string, stepId: string): TouchPlan | null {
  const stage = j.stages.get(stageId);
  const index = stage?.indexOf.get(stepId);
  if (!stage || index === undefined) return null;
  const step = stage.steps[index]!;
  const clock = state.tz === undefined ? j.zone : ZoneClock.of(state.tz);
  const window = step.window(state.attrs);
  return {
    kind: step.kind,
    priority: step.priority,
    day: (at) => clock.wall(at).day,
    nextOpening: (at) => nextOpening(clock, at, window),
    daysLater(at, days) {
      const { day, tod } = clock.wall(at);
      return nextOpening(clock, clock.instant(day + days, tod), window);
    },
  };
}

/**
 * Places one customer's due marketing touches under a cap, given the times of their touches already
 * planned (sent or deferred, in any journey). Higher priority first, then earlier, then input order;
 * a touch over the cap moves to the same time of day on the next day with room (into its window),
 * at least {@link DEFERRED_GAP_MS} from the customer's other touches; so does a touch due at its
 * window's opening (the next openings, not one burst). Returns a time per touch, in
 * input order: nothing is dropped.
 * @example placeTouches({ perDay: 1 }, [], [{ at, plan: a }, { at, plan: b }]) // → [at, at + 1 day]
 */
export function placeTouches(cap: MarketingCap, taken: readonly number[], touches: ReadonlyArray<{ at: number; plan: TouchPlan }>): number[] {
  const placed = [...taken];
  const result = new Array<number>(touches.length);
  const order = touches.map((_, i) => i).sort((a, b) => touches[b]!.plan.priority - touches[a]!.plan.priority || touches[a]!.at - touches[b]!.at || a - b);
  for (const i of order) {
    const { at, plan } = touches[i]!;
    // The customer's days in this touch's zone, read once per touch (not per day tried).
    const perDay = new Map<number, number>();
    for (const t of placed) {
      const d = plan.day(t);
      perDay.set(d, (perDay.get(d) ?? 0) + 1);
    }
    const fits = (day: number): boolean => {
      if (cap.perDay !== undefined && (perDay.get(day) ?? 0) >= cap.perDay) return false;
      if (cap.perWeek === undefined) return true;
      let week = 0;
      for (let d = day - 6; d <= day; d++) week += perDay.get(d) ?? 0;
      // Slide the 7-day window over every position that contains `day`.
      for (let start = day - 6; start <= day; start++) {
        if (week >= cap.perWeek) return false;
        week += (perDay.get(start + 7) ?? 0) - (perDay.get(start) ?? 0);
      }
      return true;
    };
    let t = at;
    // Moved to an opening by its window: spread like a deferred touch (the minute before was closed).
    let deferred = plan.nextOpening(at - MINUTE_MS) !== at - MINUTE_MS;
    for (let n = 0; n < MAX_TRIES; n++) {
      const day = plan.day(t);
      let next: number | null = null;
      if (!fits(day)) {
        deferred = true;
        next = plan.daysLater(at, day - plan.day(at) + 1);
      } else if (deferred) {
        const clash = placed.find((other) => Math.abs(other - t) < DEFERRED_GAP_MS);
        if (clash === undefined) break;
        next = plan.nextOpening(clash + DEFERRED_GAP_MS);
      } else break;
      if (next === null || next <= t) break;
      t = next;
    }
    placed.push(t);
    result[i] = t;
  }
  return result;
}
