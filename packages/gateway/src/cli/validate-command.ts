// `sopline validate <files…>`: every problem of every definition with its file and path; exit 1
// on any, so it can gate a CI pipeline over an operator's repository of journeys.
import { type Command, parseCommandArgs } from "./command.js";
import { loadJourneys, requireFiles } from "./load-journeys.js";

export const validateCommand: Command = async (args, io) => {
  const { positionals } = parseCommandArgs("validate", args, { options: {} });
  const { journeys, problems } = loadJourneys(requireFiles("validate", positionals));
  for (const { data, definition } of journeys) {
    const steps = definition.stages.reduce((n, s) => n + (s.sop?.length ?? 0), 0);
    io.out(`${data.file}: ok (journey "${definition.id}" version ${definition.version}: ${definition.stages.length} stages, ${steps} steps)`);
  }
  for (const problem of problems) io.err(problem);
  if (problems.length === 0) return 0;
  io.err(`${problems.length} problem${problems.length === 1 ? "" : "s"} in ${positionals.length - journeys.length} of ${positionals.length} file${positionals.length === 1 ? "" : "s"}`);
  return 1;
};
