// Issue 4, point 4: the mini-program bundle stays within its size budget and needs nothing from Node.
import { describe, expect, it } from "vitest";
import { measureBundle, WX_BUDGET, WX_BUNDLES } from "../scripts/measure-bundle.js";

describe("the mini-program bundle (@sopline/client/wx, esbuild, minified, dependencies inlined)", () => {
  it(`fits the budget: ≤ ${WX_BUDGET.minified / 1024} KB minified and ≤ ${WX_BUDGET.gzip / 1024} KB gzip (see bench/client-size.ts)`, async () => {
    const size = await measureBundle(WX_BUNDLES["@sopline/client/wx (every export)"]);
    expect(size.minified, `minified bytes (budget ${WX_BUDGET.minified})`).toBeLessThanOrEqual(WX_BUDGET.minified);
    expect(size.gzip, `gzip bytes (budget ${WX_BUDGET.gzip})`).toBeLessThanOrEqual(WX_BUDGET.gzip);
    // graphql-ws is inside, not left for the mini-program to resolve.
    expect(Object.keys(size.byPackage).sort()).toEqual(["@0no-co/graphql.web", "@sopline/client", "gql.tada", "graphql-ws"]);
  });

  it("imports no Node built-in and not `ws` (the testing fake stays in @sopline/client/testing)", async () => {
    expect((await measureBundle(WX_BUNDLES["@sopline/client/wx (every export)"])).forbidden).toEqual([]);
    // The guard itself works: the testing entry does pull in ws.
    const testing = await measureBundle(`export * from "./src/testing/index.ts";`);
    expect(testing.forbidden.some((f) => f.startsWith("ws "))).toBe(true);
  });
});
