// Install size of a packed package with its production dependencies: a fresh
// `npm install --omit=dev <tarballs>` in a temp dir, measured with du.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { cleanNpmEnv, run } from "../../test/helpers/packed-packages.js";

export interface InstallSize {
  /** Disk use of node_modules (du -sk), bytes. */
  disk: number;
  /** Sum of file sizes (du -sb --apparent-size), bytes. */
  apparent: number;
  /** Packages installed (the package itself included). */
  packages: number;
  /** The heaviest top-level packages by disk use, bytes. */
  largest: Array<{ name: string; disk: number }>;
}

const du = (args: string[], dir: string) => Number(execFileSync("du", [...args, dir], { encoding: "utf8" }).split("\t")[0]);

/** Installs `tarballs` (the package and the local packages it depends on) into a fresh app and measures node_modules. */
export async function installSize(tarballs: string[]): Promise<InstallSize> {
  const app = mkdtempSync(path.join(tmpdir(), "sopline-weight-"));
  try {
    writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "weight", version: "1.0.0", private: true }));
    await run("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--no-package-lock", ...tarballs], { cwd: app });
    const modules = path.join(app, "node_modules");
    const tops = readdirSync(modules)
      .filter((name) => !name.startsWith("."))
      .flatMap((name) => (name.startsWith("@") ? readdirSync(path.join(modules, name)).map((sub) => `${name}/${sub}`) : [name]));
    const packages = (await run("npm", ["ls", "--all", "--parseable"], { cwd: app, env: cleanNpmEnv() })).trim().split("\n").length - 1;
    const largest = tops
      .map((name) => ({ name, disk: du(["-sk"], path.join(modules, name)) * 1024 }))
      .sort((a, b) => b.disk - a.disk)
      .slice(0, 5);
    return { disk: du(["-sk"], modules) * 1024, apparent: du(["-sb", "--apparent-size"], modules), packages, largest };
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
}
