import { DateTime } from "luxon";
import { type Customer, type Effect, type JourneyDefinition, type JourneyInput, defineJourney } from "@sopline/core";

export const SH = "Asia/Shanghai";

/** An instant written as Shanghai wall-clock time, e.g. sh("2026-11-23 10:00"). */
export function sh(local: string, zone = SH): string {
  return DateTime.fromFormat(local, "yyyy-MM-dd HH:mm", { zone }).toUTC().toISO()!;
}

/** A UTC ISO time rendered as wall-clock time in a zone: "2026-11-24 09:00". */
export function local(isoTime: string, zone = SH): string {
  return DateTime.fromISO(isoTime, { zone }).toFormat("yyyy-MM-dd HH:mm");
}

/** A one-stage journey around a list of steps. */
export function oneStage(sop: NonNullable<JourneyDefinition["stages"][number]["sop"]>, extra: Partial<JourneyDefinition> = {}) {
  return defineJourney({ id: "j", version: 1, timezone: SH, entry: "s", stages: [{ id: "s", sop }], ...extra });
}

export const due = (effects: Effect[]) => effects.filter((e) => e.type === "step.due");
export const skipped = (effects: Effect[]) => effects.filter((e) => e.type === "step.skipped");

/** "stepId@local time" for each due step, the easiest thing to assert on. */
export function dueTimes(effects: Effect[], zone = SH): string[] {
  return due(effects).map((e) => `${e.stepId}${e.occurrence ? `#${e.occurrence}` : ""}${e.alternative ? `~${e.alternative}` : ""}@${local(e.dueAt, zone)}`);
}

export function simulate(
  journey: ReturnType<typeof defineJourney>,
  customer: Customer,
  start: string,
  until: string,
  inputs: JourneyInput[] = [],
) {
  return journey.simulate(customer, inputs, { start, until });
}
