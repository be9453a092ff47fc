// What users install: the three packages packed by `npm pack` from their built dist. Shared by the
// packaging test and the weight benchmark.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const exec = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));

export const PACKAGES = ["core", "gateway", "client"] as const;
export type PackageDir = (typeof PACKAGES)[number];

/**
 * The environment without the `npm_*` variables an enclosing `npm test` / `npm run` sets: a child
 * npm reading them (npm_config_local_prefix, npm_config_workspace …) would act on this repository
 * instead of the temporary app.
 */
export function cleanNpmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  return { ...env, ...extra };
}

/** Runs npm (or another command) and returns stdout; a failure carries stdout and stderr in its message. */
export async function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }): Promise<string> {
  try {
    const { stdout } = await exec(command, args, { cwd: options.cwd, env: options.env ?? cleanNpmEnv(), timeout: options.timeout ?? 300_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} (in ${options.cwd}) failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/** `npm pack` of each package (their dist must be built) into `dest`; returns the tarball paths by package. */
export async function packPackages(dest: string): Promise<Record<PackageDir, string>> {
  const tarballs = {} as Record<PackageDir, string>;
  for (const name of PACKAGES) {
    const dir = path.join(root, "packages", name);
    if (!readdirSync(dir).includes("dist")) throw new Error(`packages/${name}/dist is missing: run \`npm run build\` first`);
    const file = (await run("npm", ["pack", "--silent", "--pack-destination", dest], { cwd: dir })).trim().split("\n").at(-1)!;
    tarballs[name] = path.join(dest, file);
  }
  return tarballs;
}
