/** A customer's timeline: the steps already due and the steps ahead, in one chronological list. */
import type { CustomerRecord, PastStep } from "../operations/customers.js";

/** One step on a customer's timeline. */
export interface TimelineEntry {
  /** When the step was (or will be) due, ISO-8601. */
  readonly at: string;
  readonly journeyKey: string;
  readonly stage: string;
  readonly stepId: string;
  readonly channel: PastStep["channel"];
  /** Content ref. */
  readonly content: string | null;
  /** `auto` or `task`. */
  readonly mode: string;
  /** A past step's status (`due | task | sent | failed | skipped`), or `upcoming`. */
  readonly status: string;
}

/** A customer with their journeys and the merged {@link TimelineEntry} list (`client.customer()`). */
export type CustomerView = CustomerRecord & { readonly timeline: readonly TimelineEntry[] };

/**
 * Adds `timeline` to a customer: past steps of every journey, then upcoming ones, oldest first.
 *
 * @example
 * withTimeline(customer).timeline.filter((e) => e.status === "upcoming")[0]; // the next touch
 */
export function withTimeline(customer: CustomerRecord): CustomerView {
  const timeline: TimelineEntry[] = [];
  for (const j of customer.journeys) {
    const base = { journeyKey: j.journeyKey };
    for (const s of j.pastSteps) timeline.push({ ...base, at: s.dueAt, stage: s.stage, stepId: s.stepId, channel: s.channel, content: s.content, mode: s.mode, status: s.status });
    for (const s of j.upcomingSteps) timeline.push({ ...base, at: s.dueAt, stage: s.stage, stepId: s.stepId, channel: s.channel, content: s.content, mode: s.mode, status: "upcoming" });
  }
  // ISO-8601 UTC strings of one format sort chronologically as strings; past before upcoming on ties.
  timeline.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : (a.status === "upcoming" ? 1 : 0) - (b.status === "upcoming" ? 1 : 0)));
  return { ...customer, timeline };
}
