// Journey definition files as validate, lint, preview and push read them: one definition per
// file, every problem reported with its file and path, duplicate journey ids across files refused.
import { type JourneyDefinition, validateJourney } from "@sopline/core";
import { DEFAULT_CALENDAR, calendarOptions } from "../holidays/workspace-calendar.js";
import { CliError } from "./command.js";
import { type DataFile, problemAt, readDataFile } from "./data-files.js";

export interface LoadedJourney {
  data: DataFile;
  definition: JourneyDefinition;
}

/** Reads and validates every file; returns the valid ones and the problems of the others (one line each). */
export function loadJourneys(files: string[]): { journeys: LoadedJourney[]; problems: string[] } {
  const journeys: LoadedJourney[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let data: DataFile;
    try {
      data = readDataFile(file);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      problems.push(err.message);
      continue;
    }
    // Checked against the default Chinese calendar: a workspace's own holidays are checked when pushed.
    const issues = validateJourney(data.value, calendarOptions(DEFAULT_CALENDAR));
    if (issues.length > 0) {
      for (const issue of issues) problems.push(problemAt(data, issue.path, issue.message));
      continue;
    }
    const definition = data.value as JourneyDefinition;
    const other = seen.get(definition.id);
    if (other) {
      problems.push(problemAt(data, "id", `journey "${definition.id}" is also defined in ${other}; one file per journey`));
      continue;
    }
    seen.set(definition.id, file);
    journeys.push({ data, definition });
  }
  return { journeys, problems };
}

/** The positional file arguments, or a usage error naming the command. */
export function requireFiles(command: string, positionals: string[]): string[] {
  if (positionals.length === 0) throw new CliError(`sopline ${command}: name at least one journey file (JSON or YAML)`, 2);
  return positionals;
}
