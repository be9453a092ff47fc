import { describe, expect, it } from "vitest";
import { MAX_STRING, checkArgumentLimits } from "../../src/graphql/limits.js";

const fails = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return err as Error & { extensions?: Record<string, unknown> };
  }
  throw new Error("expected a LIMIT error");
};

describe("checkArgumentLimits", () => {
  it("names the first string or list that is too long by its full path", () => {
    const events = [{ id: "a" }, { id: "b", data: { tags: ["x", "y".repeat(MAX_STRING + 1)] } }];
    const err = fails(() => checkArgumentLimits("ingestEvents", { events }, { lists: { events: 1_000 } }));
    expect(err.message).toBe(`events[1].data.tags[1]: at most ${MAX_STRING} characters allowed, got ${MAX_STRING + 1}`);
    expect(err.extensions).toMatchObject({ code: "LIMIT", field: "events[1].data.tags[1]", limit: MAX_STRING });
    const tooMany = fails(() => checkArgumentLimits("ingestEvents", { events: Array.from({ length: 3 }, () => ({})) }, { lists: { events: 2 } }));
    expect(tooMany.message).toMatch(/^events: at most 2 items per request allowed, got 3/);
  });

  it("applies per-path limits to the paths under them, indexes included", () => {
    const limits = { strings: { "input.body": 10_000, "input.tags": 3 } };
    expect(() => checkArgumentLimits("upsert", { input: { body: "b".repeat(9_000), tags: ["abc"] } }, limits)).not.toThrow();
    expect(fails(() => checkArgumentLimits("upsert", { input: { body: "b", tags: ["ok", "long"] } }, limits)).message).toBe("input.tags[1]: at most 3 characters allowed, got 4");
  });

  it("reports the size of all arguments before anything else, measured exactly", () => {
    const err = fails(() => checkArgumentLimits("upsertJourney", { definition: { blob: "y".repeat(2_000_000) } }, { argsBytes: 1_000_000 }));
    expect(err.message).toBe("upsertJourney: arguments are 2000026 bytes, at most 1000000 allowed");
    // A bound above the limit is not an error: 150,000 quote-free characters are ~150 KB.
    expect(() => checkArgumentLimits("upsert", { input: { body: "z".repeat(150_000) } }, { argsBytes: 200_000, strings: { "input.body": 200_000 } })).not.toThrow();
    // Multi-byte characters count in UTF-8 bytes, escapes as written.
    const wide = { s: "新".repeat(40_000) };
    expect(fails(() => checkArgumentLimits("f", wide, { argsBytes: 100_000, strings: { s: 100_000 } })).message).toBe("f: arguments are 120008 bytes, at most 100000 allowed");
    expect(() => checkArgumentLimits("f", { s: '"'.repeat(10_000) }, { argsBytes: 20_008, strings: { s: 10_000 } })).not.toThrow();
    expect(fails(() => checkArgumentLimits("f", { s: '"'.repeat(10_000) }, { argsBytes: 20_007, strings: { s: 10_000 } })).message).toMatch(/arguments are 20008 bytes/);
  });

  it("refuses nesting deeper than 40 levels", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 45; i++) deep = { d: deep };
    expect(fails(() => checkArgumentLimits("f", { x: deep })).message).toMatch(/^x(\.d)+: nested more than 40 levels deep/);
  });
});
