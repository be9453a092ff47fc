import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

// `npm test` builds first; this checks what users install: the built packages load in both module systems.
const packages = [
  { name: "@sopline/core", exportName: "defineJourney" },
  { name: "@sopline/gateway", exportName: "createGateway" },
  { name: "@sopline/client", exportName: "createClient" },
];

describe.each(packages)("$name build", ({ name, exportName }) => {
  it("has its dist built", () => {
    expect(existsSync(`packages/${name.split("/")[1]}/dist/index.d.ts`)).toBe(true);
  });
  it("loads with import (ESM)", () => {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", `import * as m from "${name}"; console.log(typeof m.${exportName})`], { encoding: "utf8" });
    expect(out.trim()).toBe("function");
  });
  it("loads with require (CJS)", () => {
    const out = execFileSync(process.execPath, ["-e", `console.log(typeof require("${name}").${exportName})`], { encoding: "utf8" });
    expect(out.trim()).toBe("function");
  });
});
