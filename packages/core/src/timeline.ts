import type { Effect } from "./effects.js";
import { type Instant, toMillis } from "./time.js";
import { ZoneClock } from "./zone.js";

/**
 * Renders effects (e.g. `journey.simulate(...).effects`) as a readable text table in a time zone.
 * With `start` (when the customer entered) a first column numbers the days from it (day 0 is the
 * start's calendar day in that zone), as operators count an SOP.
 * @example console.log(renderTimeline(sim.effects, { timezone: "Asia/Shanghai" }))
 */
export function renderTimeline(effects: Effect[], options: { timezone: string; start?: Instant }): string {
  const clock = ZoneClock.of(options.timezone);
  const firstDay = options.start === undefined ? undefined : clock.wall(toMillis(options.start, "renderTimeline start")).day;
  const rows: string[][] = [[...(firstDay === undefined ? [] : ["day"]), `when (${options.timezone})`, "stage", "what", "channel", "content / detail", "mode"]];
  const row = (isoTime: string, ...cells: string[]) => {
    const ms = Date.parse(isoTime);
    const { day, tod } = clock.wall(ms);
    const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][clock.weekday(day) - 1];
    const hh = String(Math.floor(tod / 3_600_000)).padStart(2, "0");
    const mm = String(Math.floor((tod % 3_600_000) / 60_000)).padStart(2, "0");
    rows.push([...(firstDay === undefined ? [] : [String(day - firstDay)]), `${ZoneClock.isoDate(day)} ${weekday} ${hh}:${mm}`, ...cells]);
  };
  for (const e of effects) {
    switch (e.type) {
      case "step.due": {
        const which = e.alternative ? ` (alt ${e.alternative})` : e.occurrence ? ` #${e.occurrence}` : "";
        row(e.dueAt, e.stage, `${e.stepId}${which}`, e.channel, e.content, e.mode === "task" ? `task${e.assignee ? ` → ${e.assignee}` : ""}` : "auto");
        break;
      }
      case "step.skipped":
        row(e.dueAt, e.stage, `${e.stepId} skipped`, "", `${e.reason}${e.detail ? `: ${e.detail}` : ""}`, "");
        break;
      case "stage.entered": {
        const why = e.event ? `${e.reason} ${e.event.name}` : e.tag ? `tag ${e.tag}` : e.by ? `${e.reason} by ${e.by}` : e.reason;
        row(e.at, e.to, `→ entered (visit ${e.visit})`, "", `${e.from ? `from ${e.from}, ` : ""}${why}`, "");
        break;
      }
      case "tag.added":
      case "tag.removed":
        row(e.at, "", `${e.type === "tag.added" ? "+" : "-"}tag ${e.tag}`, "", e.reason, "");
        break;
      case "wait.ended":
        row(e.at, e.stage, `${e.stepId} wait ended`, "", e.by === "event" ? `customer did ${e.event}` : "no response", "");
        break;
      default:
        break;
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd()).join("\n");
}
