// `sopline preview <file> [--tz] [--start] [--days 90] [--events events.yaml]`: one customer's
// simulated timeline as a table, from the core's simulate() and renderTimeline().
import { type JourneyInput, JourneyInputError, defineJourney, renderTimeline } from "@sopline/core";
import { CliError, type Command, parseCommandArgs, positiveInteger } from "./command.js";
import { type DataFile, problemAt, readDataFile } from "./data-files.js";
import { loadJourneys } from "./load-journeys.js";
import { DEFAULT_CALENDAR, calendarOptions } from "../holidays/workspace-calendar.js";

const DAY = 86_400_000;

export const previewCommand: Command = async (args, io) => {
  const { values, positionals } = parseCommandArgs("preview", args, {
    options: { tz: { type: "string" }, start: { type: "string" }, days: { type: "string" }, events: { type: "string" } },
  });
  if (positionals.length !== 1) throw new CliError(`sopline preview: name exactly one journey file, got ${positionals.length}`, 2);
  const days = positiveInteger("--days", values.days, 90);
  const start = values.start === undefined ? new Date() : new Date(values.start);
  if (Number.isNaN(start.getTime())) throw new CliError(`--start: expected an ISO date-time like 2026-12-07T09:00:00+08:00, got "${values.start}"`, 2);
  if (values.tz !== undefined && !isTimeZone(values.tz)) throw new CliError(`--tz: "${values.tz}" is not an IANA time zone (e.g. Asia/Shanghai)`, 2);
  const { journeys, problems } = loadJourneys(positionals);
  if (problems.length > 0) {
    for (const problem of problems) io.err(problem);
    return 1;
  }
  const { definition } = journeys[0]!;
  // the default Chinese calendar, as validate checks against it
  const journey = defineJourney(definition, calendarOptions(DEFAULT_CALENDAR));
  const timezone = values.tz ?? definition.timezone;
  const inputs = values.events === undefined ? [] : readEvents(readDataFile(values.events));
  let sim;
  try {
    sim = journey.simulate({ id: "preview", ...(values.tz ? { timezone: values.tz } : {}) }, inputs, { start, until: start.getTime() + days * DAY });
  } catch (err) {
    // e.g. a move to a stage the journey lacks: the core names it
    if (err instanceof JourneyInputError) throw new CliError(`${values.events ?? positionals[0]}: ${err.message}`);
    throw err;
  }
  io.out(`${definition.id} v${definition.version}: one customer entering "${definition.entry}" at ${start.toISOString()}, ${days} days, times in ${timezone}${inputs.length ? `, ${inputs.length} event${inputs.length === 1 ? "" : "s"}` : ""}`);
  io.out(renderTimeline(sim.effects, { timezone, start }));
  const steps = sim.effects.filter((e) => e.type === "step.due").length;
  io.out(`${steps} step${steps === 1 ? "" : "s"} in ${days} days; ends in stage "${sim.state.stage}"`);
  return 0;
};

/**
 * An events file: a list of `{ name, at, data? }` (events the customer does, e.g. demo.attended; `data` for rules with `where`) or
 * `{ move: <stage>, at }` (a manual move from the board); `at` is an ISO date-time.
 */
export function readEvents(data: DataFile): JourneyInput[] {
  if (!Array.isArray(data.value)) throw new CliError(problemAt(data, "", "expected a list like [{ name: demo.attended, at: 2026-12-08T10:00:00+08:00 }]"));
  return data.value.map((item, i): JourneyInput => {
    const entry = (item ?? {}) as { name?: unknown; move?: unknown; at?: unknown; id?: unknown; data?: unknown };
    const at = entry.at instanceof Date ? entry.at : new Date(String(entry.at));
    if (entry.at === undefined || Number.isNaN(at.getTime())) throw new CliError(problemAt(data, `[${i}].at`, `expected an ISO date-time like 2026-12-08T10:00:00+08:00, got ${JSON.stringify(entry.at)}`));
    if (typeof entry.move === "string" && entry.move !== "") return { type: "move", to: entry.move, at };
    if (typeof entry.name !== "string" || entry.name === "") throw new CliError(problemAt(data, `[${i}]`, `expected an event name (name: demo.attended) or a stage to move to (move: interested)`));
    // `data` lets rules with `where` be previewed: { name: content.read, at: …, data: { seconds: 90 } }
    return { type: "event", id: typeof entry.id === "string" ? entry.id : `preview-${i}`, name: entry.name, at, ...(entry.data !== undefined ? { data: entry.data } : {}) };
  });
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
