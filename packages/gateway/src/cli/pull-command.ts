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
    io.out(journeys.map((j) => `# ${j.key} version ${j.version}\n${stringify(j.definition)}`).join("---\n"));
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
      fs.writeFileSync(file, stringify(j.definition));
    } catch (err) {
      throw new CliError(`${file}: cannot write it (${(err as Error).message})`);
    }
    io.out(`${file}: journey "${j.key}" version ${j.version}`);
  }
  if (journeys.length === 0) io.out("no journeys are published on this gateway");
  return 0;
};
