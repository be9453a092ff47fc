import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The README's quick start must keep working as written: run it against the built package.
describe("README quick start", () => {
  it("runs and prints the timeline it promises", () => {
    const readme = readFileSync("README.md", "utf8");
    const code = /## Quick start \(core\)\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const dir = mkdtempSync(join(process.cwd(), "node_modules", ".readme-"));
    try {
      const file = join(dir, "quickstart.ts");
      writeFileSync(file, `${code}\nconsole.log(JSON.stringify({ effects: effects.map((e) => e.type + ":" + ("stepId" in e ? e.stepId : "")), wake: journey.nextWakeAt(next) }));\n`);
      const out = execFileSync(process.execPath, ["--import", "tsx", file], { encoding: "utf8" });
      const last = JSON.parse(out.trim().split("\n").at(-1)!);
      expect(last.effects).toEqual(["stage.entered:", "step.due:greet", "step.due:regreet"]);
      expect(last.wake).toBe("2026-11-24T01:00:00.000Z");
      expect(out).toMatch(/2026-11-24 Tue 09:00\s+new\s+case\s+private_chat\s+case-1\s+task/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
