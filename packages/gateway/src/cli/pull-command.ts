// `sopline pull --url --key [--out dir]`: the journeys published on a gateway as YAML, one
// <id>.yaml per journey with --out (ready to edit and push again), else on standard output.
import fs from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { CliError, type Command, parseCommandArgs } from "./command.js";
import { GATEWAY_FLAGS, GatewayRequestError, gatewayApi } from "./gateway-api.js";

export const pullCommand: Command = async (args, io) => {
  const { values, positionals } = parseCommandArgs("pull", args, { options: { ...GATEWAY_FLAGS, out: { type: "string" } } });
  if (positionals.length > 0) throw new CliError(`sopline pull: takes no file arguments (got ${positionals.join(" ")}); use --out <dir>`, 2);
  const api = gatewayApi("pull", values, io.env);
  let journeys: Array<{ key: string; version: number; definition: unknown }>;
  try {
    ({ journeys } = await api.request<{ journeys: typeof journeys }>("{ journeys { key version definition } }"));
  } catch (err) {
    if (err instanceof GatewayRequestError) throw new CliError(`the gateway at ${api.url} refused to list journeys (${err.code ?? "error"}): ${err.message}`);
    throw err;
  }
  if (values.out === undefined) {
    io.out(journeys.map((j) => `# ${j.key} version ${j.version}\n${stringify(readable(j.definition))}`).join("---\n"));
    return 0;
  }
  try {
    fs.mkdirSync(values.out, { recursive: true });
  } catch (err) {
    throw new CliError(`--out: cannot create the directory ${values.out} (${(err as Error).message})`);
  }
  for (const j of journeys) {
    const file = path.join(values.out, `${j.key.replace(/[^\w.-]/g, "_")}.yaml`);
    try {
      fs.writeFileSync(file, stringify(readable(j.definition)));
    } catch (err) {
      throw new CliError(`${file}: cannot write it (${(err as Error).message})`);
    }
    io.out(`${file}: journey "${j.key}" version ${j.version}`);
  }
  if (journeys.length === 0) io.out("no journeys are published on this gateway");
  return 0;
};

// The gateway stores definitions as jsonb, which orders keys by length; files read better in the
// order people write them: identity first, timing before content, lists last.
const KEY_ORDER = [
  "id", "version", "name", "timezone", "entry", "kind", "manual", "window", "quietHours", "frequencyCap", "expireAfter",
  "after", "day", "birthday", "holiday", "date", "at", "repeat", "unless", "waitFor", "channel", "content", "mode", "title", "assignee",
  "from", "to", "on", "tag", "silentFor", "of", "count", "within", "action", "onEnter", "sop", "stages", "transitions", "tagRules",
];
const rank = (key: string) => {
  const i = KEY_ORDER.indexOf(key);
  return i === -1 ? KEY_ORDER.indexOf("onEnter") - 0.5 : i;
};

function readable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(readable);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  return Object.fromEntries(entries.map(([k, v]) => [k, readable(v)]));
}
