import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, createGateway, loadExamples } from "@sopline/gateway";

// Every ```ts block of every README runs as written (against the built packages, as a user's app
// would), or carries a marker saying why it cannot and is type-checked:
//   // readme-test: type-check only: <why>
//   // readme-test: continues the snippet above   (prepended with the previous block)
// Client snippets talk to a gateway on a temp embedded database: their example URLs
// (http://localhost:4000, https://sopline.example.com) point at it and SOPLINE_API_KEY is its key.
// A snippet that starts a server (it handles SIGTERM) gets PORT=0 and its own DATABASE_URL; once
// it has run to its end it must stop on SIGTERM and exit 0.

const READMES = [
  "README.md",
  "examples/README.md",
  ...readdirSync("packages").map((p) => `packages/${p}/README.md`),
].filter((f) => existsSync(f));

interface Snippet {
  name: string;
  code: string;
  typeCheckOnly: boolean;
  /** Starts a gateway of its own (and prints its URL). */
  server: boolean;
  /** Handles SIGTERM itself: must then exit 0. */
  graceful: boolean;
}

function snippets(): Snippet[] {
  const all: Snippet[] = [];
  for (const file of READMES) {
    const text = readFileSync(file, "utf8");
    let previous = "";
    let n = 0;
    for (const match of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
      const own = match[1]!;
      const code = /\/\/ readme-test: .*continues the snippet above/.test(own) ? `${previous}\n${own}` : own;
      previous = code;
      all.push({
        name: `${file} #${++n}`,
        code,
        typeCheckOnly: /\/\/ readme-test: type-check only/.test(own),
        server: /createGateway\(/.test(own),
        graceful: /process\.once\((signal|"SIGTERM")/.test(own),
      });
    }
  }
  return all;
}

const DONE = "@@readme-snippet-done@@";
const all = snippets();
// Snippets run as modules of their own, where a user's app would import the packages from.
const dir = mkdtempSync(join(process.cwd(), "node_modules", ".readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("README snippets", () => {
  it("are found in every README that has code", () => {
    expect(all.map((s) => s.name)).toEqual(expect.arrayContaining(["README.md #1", "README.md #2", "README.md #3", "README.md #4", "packages/client/README.md #1"]));
  });

  it("all type-check (strict, as in the repository)", () => {
    all.forEach((s, i) => writeFileSync(join(dir, `check-${i}.mts`), `${s.code}\nexport {};\n`));
    // The WeChat runtime's globals, for the mini-program snippets.
    writeFileSync(join(dir, "wechat-globals.d.ts"), "declare function Page(options: Record<string, unknown> & ThisType<any>): void;\ndeclare function getApp(): any;\ndeclare const wx: any;\n");
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ extends: "../../tsconfig.json", include: ["*.mts", "*.d.ts"] }));
    try {
      execFileSync(process.execPath, [join("node_modules", "typescript", "bin", "tsc"), "-p", join(dir, "tsconfig.json"), "--noEmit"], { encoding: "utf8" });
    } catch (err) {
      throw new Error(`README snippets do not type-check (check-N.mts is the N-th of ${JSON.stringify(all.map((s) => s.name))}):\n${(err as { stdout: string }).stdout}`);
    }
  });

  describe("run", () => {
    let gateway: Gateway;
    let base: string;
    beforeAll(async () => {
      gateway = await createGateway({ databaseUrl: "memory://", logger: false });
      await loadExamples(gateway.db, gateway.registry, gateway.workspaceId, new Date());
      base = (await gateway.start(0, "127.0.0.1")).url.replace(/\/graphql$/, "");
    });
    afterAll(async () => {
      await gateway?.stop();
    });

    for (const [i, s] of all.entries()) {
      if (s.typeCheckOnly) continue;
      it(`${s.name} runs as written`, async () => {
        const file = join(dir, `run-${i}.mts`);
        const code = s.code.replaceAll("http://localhost:4000", base).replaceAll("https://sopline.example.com", base);
        writeFileSync(file, `${code}\nconsole.log(${JSON.stringify(DONE)});\n`);
        const env: NodeJS.ProcessEnv = { ...process.env, SOPLINE_API_KEY: gateway.adminKey, PORT: "0", DATABASE_URL: `pglite:${join(dir, `db-${i}`)}`, LOG_LEVEL: "warn" };
        delete env.REDIS_URL;
        const served = /(http:\/\/localhost:\d+)/;
        const run = await runUntil(spawn(process.execPath, ["--import", "tsx", file], { env, stdio: ["ignore", "pipe", "pipe"] }), (out) => out.includes(DONE) && (!s.server || served.test(out)));
        expect(run.stderr).toBe("");
        if (s.server) {
          // a server snippet keeps serving after its last line
          const url = served.exec(run.stdout)![1]!;
          expect((await fetch(`${url}/healthz`)).status).toBe(200);
        }
        run.child.kill("SIGTERM");
        const exitCode = await run.exited;
        if (s.graceful) expect(exitCode).toBe(0);
      }, 60_000);
    }
  });
});

// The README's quick start promises a particular timeline: check it, not only that it runs.
describe("README quick start", () => {
  it("runs and prints the timeline it promises", () => {
    const readme = readFileSync("README.md", "utf8");
    const code = /## Quick start \(core\)\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const file = join(dir, "quickstart.mts");
    writeFileSync(file, `${code}\nconsole.log(JSON.stringify({ effects: effects.map((e) => e.type + ":" + ("stepId" in e ? e.stepId : "")), wake: journey.nextWakeAt(next) }));\n`);
    const out = execFileSync(process.execPath, ["--import", "tsx", file], { encoding: "utf8" });
    const last = JSON.parse(out.trim().split("\n").at(-1)!);
    expect(last.effects).toEqual(["stage.entered:", "step.due:greet", "step.due:regreet"]);
    expect(last.wake).toBe("2026-11-24T01:00:00.000Z");
    expect(out).toMatch(/2026-11-24 Tue 09:00\s+new\s+case\s+private_chat\s+case-1\s+task/);
  });
});

/** Waits until the snippet's output satisfies `ready` (or it exited, which fails the test with its output). */
function runUntil(child: ChildProcess, ready: (stdout: string) => boolean): Promise<{ child: ChildProcess; stdout: string; stderr: string; exited: Promise<number | null> }> {
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (ready(stdout)) resolve({ child, stdout, get stderr() { return stderr; }, exited } as never);
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    void exited.then((code) => {
      if (!ready(stdout)) reject(new Error(`the snippet exited (${code}) before its end:\n${stdout}\n${stderr}`));
    });
  });
}
