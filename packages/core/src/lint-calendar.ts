import type { CompiledJourney } from "./compile.js";
import type { JourneyDefinition } from "./schema.js";
import { ZoneClock } from "./zone.js";

/** Calendar steps that no customer can receive any more, as of `at`: a dated step whose instant has passed, a holiday without a date to come. */
export function calendarWarnings(
  definition: JourneyDefinition,
  compiled: CompiledJourney,
  at: number,
  warn: (code: "past-date" | "no-holiday-dates", path: string, message: string) => void,
): void {
  definition.stages.forEach((stage, i) => {
    const steps = compiled.stages.get(stage.id)?.steps ?? [];
    (stage.sop ?? []).forEach((step, j) => {
      const c = steps[j];
      if (!c || c.tod === undefined) return;
      const path = `stages[${i}].sop[${j}]`;
      if (c.timing === "date" && c.fixedClock) {
        const when = c.fixedClock.instant(c.holidayDays![0]!, c.tod);
        if (when <= at) warn("past-date", `${path}.date`, `step "${step.id}" is dated ${step.date} ${step.at ?? "09:00"} (${definition.timezone}), already past: no customer will receive it`);
      } else if (c.timing === "holiday") {
        // a day of margin for customers in zones behind the server's
        const today = Math.floor(at / 86_400_000) - 1;
        if (!(c.holidayDays ?? []).some((d) => d >= today)) {
          warn("no-holiday-dates", `${path}.holiday`, `holiday "${step.holiday}" has no date to come in the calendar (last: ${c.holidayDays?.length ? ZoneClock.isoDate(c.holidayDays[c.holidayDays.length - 1]!) : "none"}): add next dates to the calendar`);
        }
      }
    });
  });
}
