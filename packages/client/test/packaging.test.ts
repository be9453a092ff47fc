// Issue 4, point 4: what users install. `npm test` builds first; each entry of the exports map
// loads in both module systems, and only the testing entry reaches for `ws`.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const entries = [
  { specifier: "@sopline/client", exportName: "createClient" },
  { specifier: "@sopline/client/wx", exportName: "createWxClient" },
  { specifier: "@sopline/client/testing", exportName: "createFakeWx" },
];

describe.each(entries)("$specifier (built)", ({ specifier, exportName }) => {
  it("loads with import (ESM)", () => {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", `import * as m from "${specifier}"; console.log(typeof m.${exportName})`], { encoding: "utf8" });
    expect(out.trim()).toBe("function");
  });
  it("loads with require (CJS)", () => {
    const out = execFileSync(process.execPath, ["-e", `console.log(typeof require("${specifier}").${exportName})`], { encoding: "utf8" });
    expect(out.trim()).toBe("function");
  });
});

describe("@sopline/client package.json", () => {
  it("is side-effect free and ships types for every entry", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { sideEffects: boolean; exports: Record<string, unknown> };
    expect(pkg.sideEffects).toBe(false);
    expect(Object.keys(pkg.exports)).toEqual([".", "./wx", "./testing", "./package.json"]);
    const dist = readdirSync(new URL("../dist", import.meta.url));
    for (const name of ["index", "wx", "testing"]) expect(dist).toEqual(expect.arrayContaining([`${name}.d.ts`, `${name}.d.cts`, `${name}.js`, `${name}.cjs`]));
  });

  it("keeps `ws` out of everything but the testing entry", () => {
    const dist = new URL("../dist/", import.meta.url);
    const importsWs = readdirSync(dist)
      .filter((f) => /\.(c?js)$/.test(f))
      .filter((f) => /from "ws"|require\("ws"\)/.test(readFileSync(new URL(f, dist), "utf8")));
    expect(importsWs.sort()).toEqual(["testing.cjs", "testing.js"]);
  });

  // Issue 13, point 1: gql.tada (with its CLI, language-service plugin and TypeScript) is a build
  // tool here; its two run-time functions are compiled in, so nothing but the dependencies is loaded.
  it("loads nothing at run time but its dependencies", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const dist = new URL("../dist/", import.meta.url);
    const loaded = new Set<string>();
    for (const file of readdirSync(dist).filter((f) => /\.(c?js)$/.test(f))) {
      for (const m of readFileSync(new URL(file, dist), "utf8").matchAll(/(?:^import [^;]*?from |^import |require\()"([^".][^"]*)"/gm)) loaded.add(m[1]!.replace(/^((?:@[^/]+\/)?[^/]+).*$/, "$1"));
    }
    expect([...loaded].sort()).toEqual(Object.keys(pkg.dependencies).sort());
    expect(Object.keys(pkg.devDependencies)).toContain("gql.tada");
  });
});
