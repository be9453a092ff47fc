// `sopline push <files…> --url --key [--migrate | --dry-run]`: publishes journey files to a running
// gateway. --dry-run shows what publishing would do to the customers already in each journey,
// --migrate publishes and moves them onto the new version.
import type { LintIssue } from "@sopline/core";
import type { PublishImpact } from "../engine/publish-impact.js";
import { CliError, type Command, parseCommandArgs } from "./command.js";
import { problemAt } from "./data-files.js";
import { GATEWAY_FLAGS, GatewayRequestError, gatewayApi } from "./gateway-api.js";
import { type LoadedJourney, loadJourneys, requireFiles } from "./load-journeys.js";

const IMPACT = "customers byStage { stage customers } newSteps { stage stepId customers } skippedAsMigrated { stepId customers }";
const DRY_RUN = `query ($definition: JSON!) { journeyPublishImpact(definition: $definition) { journey version changed migration { ${IMPACT} } } }`;
const PUBLISH = `mutation ($definition: JSON!, $migrate: Boolean) { upsertJourney(definition: $definition, migrate: $migrate) { created journey { key version } warnings { code path message } migration { ${IMPACT} } } }`;

export const pushCommand: Command = async (args, io) => {
  const { values, positionals } = parseCommandArgs("push", args, {
    options: { ...GATEWAY_FLAGS, migrate: { type: "boolean", default: false }, "dry-run": { type: "boolean", default: false } },
  });
  if (values.migrate && values["dry-run"]) throw new CliError("sopline push: --migrate and --dry-run exclude each other (dry-run first, then push --migrate)", 2);
  const files = requireFiles("push", positionals);
  const api = gatewayApi("push", values, io.env);
  const { journeys, problems } = loadJourneys(files);
  if (problems.length > 0) {
    for (const problem of problems) io.err(problem);
    io.err("nothing was pushed: fix the files first (sopline validate)");
    return 1;
  }
  let failed = 0;
  for (const loaded of journeys) {
    try {
      if (values["dry-run"]) await dryRun(loaded, api.request, io.out);
      else await publish(loaded, values.migrate, api.request, io.out);
    } catch (err) {
      if (!(err instanceof GatewayRequestError)) throw err;
      failed++;
      // the gateway validated with the same core: its issues carry paths into the file
      if (err.issues.length > 0) for (const issue of err.issues) io.err(problemAt(loaded.data, issue.path, issue.message));
      else io.err(`${loaded.data.file}: the gateway at ${api.url} refused it (${err.code ?? "error"}): ${err.message}`);
    }
  }
  return failed > 0 ? 1 : 0;
};

type Request = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

async function dryRun({ data, definition }: LoadedJourney, request: Request, out: (line: string) => void): Promise<void> {
  const { journeyPublishImpact: impact } = await request<{ journeyPublishImpact: { journey: string; version: number; changed: boolean; migration: PublishImpact } }>(DRY_RUN, { definition });
  out(`${data.file}: journey "${impact.journey}" ${impact.changed ? `would be published as version ${impact.version}` : `is unchanged (version ${impact.version} is published)`}; nothing was stored`);
  out(describeImpact(impact.migration, "would"));
}

async function publish({ data, definition }: LoadedJourney, migrate: boolean, request: Request, out: (line: string) => void): Promise<void> {
  const { upsertJourney: result } = await request<{
    upsertJourney: { created: boolean; journey: { key: string; version: number }; warnings: LintIssue[]; migration: PublishImpact | null };
  }>(PUBLISH, { definition, migrate });
  out(`${data.file}: journey "${result.journey.key}" ${result.created ? `published as version ${result.journey.version}` : `unchanged (version ${result.journey.version})`}`);
  for (const w of result.warnings) out(`  ${problemAt(data, w.path, `warning ${w.code}: ${w.message}`)}`);
  if (result.migration) out(describeImpact(result.migration, "did"));
}

/** The impact as indented lines; `mode` "would" for a dry run, "did" after a migration. */
export function describeImpact(impact: PublishImpact, mode: "would" | "did"): string {
  const n = (count: number) => `${count} customer${count === 1 ? "" : "s"}`;
  if (impact.customers === 0) return `  no customers in flight on older versions${mode === "would" ? ": publishing changes nobody's journey" : ""}`;
  const lines = [`  ${n(impact.customers)} in flight on older versions ${mode === "would" ? "would move" : "moved"} to it:`];
  lines.push(`    by stage: ${impact.byStage.map((s) => `${s.stage} ${s.customers}`).join(", ")}`);
  if (impact.newSteps.length === 0) lines.push("    new steps: none");
  for (const s of impact.newSteps) lines.push(`    new step ${s.stage}/${s.stepId}: ${n(s.customers)} ${mode === "would" ? "would receive" : "will receive"} it (once)`);
  for (const s of impact.skippedAsMigrated) lines.push(`    skipped as migrated ${s.stepId}: its time had passed for ${n(s.customers)} (recorded, never sent)`);
  return lines.join("\n");
}
