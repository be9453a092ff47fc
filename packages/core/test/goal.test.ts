import { describe, expect, it } from "vitest";
import { JourneyDefinitionError, type JourneyDefinition, defineJourney, journeyJsonSchema } from "@sopline/core";

const base: JourneyDefinition = {
  id: "b2b", version: 1, timezone: "Asia/Shanghai", entry: "new",
  stages: [{ id: "new", sop: [{ id: "greet", after: "0m", channel: "private_chat", content: "greeting" }] }],
};

function issues(def: unknown) {
  try {
    defineJourney(def as JourneyDefinition);
  } catch (e) {
    expect(e).toBeInstanceOf(JourneyDefinitionError);
    return (e as JourneyDefinitionError).issues;
  }
  throw new Error("expected the definition to be rejected");
}

describe("journey goal (metrics: converted)", () => {
  it("accepts goal: { event, within }", () => {
    expect(() => defineJourney({ ...base, goal: { event: "trial.started", within: "30d" } })).not.toThrow();
    expect(() => defineJourney({ ...base, goal: { event: "deal.won" } })).not.toThrow();
  });

  it("names the path of a bad goal", () => {
    expect(issues({ ...base, goal: { event: "", within: "30d" } }).map((i) => i.path)).toContain("goal.event");
    const bad = issues({ ...base, goal: { event: "trial.started", within: "2x" } });
    expect(bad.some((i) => i.path === "goal.within" && /2x/.test(i.message))).toBe(true);
    expect(issues({ ...base, goal: { event: "x", extra: 1 } }).some((i) => i.path.startsWith("goal"))).toBe(true);
  });

  it("is in the JSON schema", () => {
    const schema = journeyJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(schema.properties.goal?.properties ?? {})).toEqual(["event", "within"]);
  });
});
