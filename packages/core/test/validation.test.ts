import { describe, expect, it } from "vitest";
import { JourneyDefinitionError, type JourneyDefinition, defineJourney, journeyJsonSchema, validateJourney } from "@sopline/core";
import { SH } from "./helpers.js";

function problems(def: unknown) {
  try {
    defineJourney(def as JourneyDefinition);
  } catch (e) {
    expect(e).toBeInstanceOf(JourneyDefinitionError);
    return (e as JourneyDefinitionError).issues;
  }
  throw new Error("expected the definition to be rejected");
}

describe("journey validation", () => {
  it("accepts the definition from the README exactly as written", () => {
    const def: JourneyDefinition = {
      id: "b2b-nurture", version: 1, timezone: "Asia/Shanghai", entry: "new",
      stages: [
        { id: "new", sop: [
          { id: "greet", after: "0m", channel: "private_chat", content: "greeting" },
          { id: "regreet", after: "2h", unless: "message.replied", channel: "private_chat", content: "greeting-2" },
          { id: "case", day: 1, at: "09:00", channel: "private_chat", content: "case-1", mode: "task" },
        ] },
        { id: "interested", sop: [{ id: "trial", after: "1h", channel: "private_chat", content: "trial-offer" }] },
        { id: "quiet", sop: [{ id: "wake", day: 1, at: "20:00", channel: "moments", content: "digest" }] },
      ],
      transitions: [
        { from: "new", to: "interested", on: "demo.attended" },
        { from: "*", to: "quiet", silentFor: "30d" },
        { from: "quiet", to: "interested", on: "message.replied" },
      ],
    };
    expect(validateJourney(def)).toEqual([]);
    expect(defineJourney(def).id).toBe("b2b-nurture");
  });

  it("reports every problem at once, each with its path", () => {
    const issues = problems({
      id: "broken", version: 1, timezone: "Mars/Olympus", entry: "start",
      stages: [
        { id: "new", sop: [
          { id: "a", after: "2x", channel: "private_chat", content: "a" },
          { id: "a", day: 1, at: "25:00", channel: "private_chat", content: "b" },
          { id: "c", channel: "fax", content: "c", after: "1h" },
        ] },
        { id: "orphan", sop: [] },
      ],
      transitions: [{ from: "new", to: "nowhere", on: "x" }],
    });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath["timezone"]).toMatch(/"Mars\/Olympus" is not an IANA time zone/);
    expect(byPath["entry"]).toMatch(/unknown stage "start"/);
    expect(byPath["stages[0].sop[0].after"]).toMatch(/"2x" is not a duration/);
    expect(byPath["stages[0].sop[1].id"]).toMatch(/duplicate step id "a"/);
    expect(byPath["stages[0].sop[1].at"]).toMatch(/clock time "HH:mm"/);
    expect(byPath["stages[0].sop[2].channel"]).toBeDefined();
    expect(byPath["transitions[0].to"]).toMatch(/unknown stage "nowhere"/);
  });

  it("finds unreachable stages and tag transitions that could loop forever at one instant", () => {
    const issues = problems({
      id: "loops", version: 1, timezone: SH, entry: "new",
      stages: [{ id: "new", sop: [] }, { id: "hot", sop: [] }, { id: "warm", sop: [] }, { id: "lost", sop: [] }],
      transitions: [
        { from: "new", to: "hot", tag: "engaged" },
        { from: "hot", to: "warm", tag: "vip" },
        { from: "warm", to: "new", tag: "engaged" },
      ],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "stages[3]", message: expect.stringMatching(/stage "lost" is unreachable.*manual: true/) },
        { path: "transitions[0]", message: expect.stringMatching(/tag transitions new → hot → warm → new could fire forever at one instant/) },
      ]),
    );
  });

  it("a stage reached only by manual moves is fine when marked manual", () => {
    expect(validateJourney({ id: "m", version: 1, timezone: SH, entry: "new", stages: [{ id: "new" }, { id: "vip", manual: true }] })).toEqual([]);
  });

  it("rejects steps with no or several timings, empty windows, windows that never open, self transitions", () => {
    const issues = problems({
      id: "t", version: 1, timezone: SH, entry: "new",
      stages: [{ id: "new", sop: [
        { id: "none", channel: "sms", content: "a" },
        { id: "both", after: "1h", day: 1, channel: "sms", content: "b" },
        { id: "closed", after: "1h", channel: "sms", content: "c", window: { from: "09:00", to: "10:00" }, quietHours: { from: "08:00", to: "11:00" } },
        { id: "empty", after: "1h", channel: "sms", content: "d", window: { from: "09:00", to: "09:00" } },
      ] }],
      transitions: [{ from: "new", to: "new", on: "x" }],
    });
    const messages = issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stages\[0\]\.sop\[0\]: a step needs exactly one timing .* got none/),
        expect.stringMatching(/^stages\[0\]\.sop\[1\]: a step needs exactly one timing .* got after \+ day/),
        expect.stringMatching(/^stages\[0\]\.sop\[2\]: its send window and quiet hours leave no time/),
        expect.stringMatching(/^stages\[0\]\.sop\[3\]\.window\.to: an empty range/),
        expect.stringMatching(/^transitions\[0\]: a transition cannot lead "new" to itself/),
      ]),
    );
  });

  it("a step's delivery path: private_chat only; a 群发助手 step is not a staff chat task", () => {
    const issues = problems({
      id: "paths", version: 1, timezone: SH, entry: "new",
      stages: [{ id: "new", sop: [
        { id: "ok-chat", day: 1, at: "10:00", channel: "private_chat", content: "a", mode: "task", delivery: "chat" },
        { id: "ok-mass", day: 1, at: "10:00", channel: "private_chat", content: "b", delivery: "mass_send" },
        { id: "sms", day: 1, at: "10:00", channel: "sms", content: "c", delivery: "mass_send" },
        { id: "both", day: 2, at: "10:00", channel: "private_chat", content: "d", delivery: "mass_send", mode: "task" },
        { id: "odd", day: 3, at: "10:00", channel: "private_chat", content: "e", delivery: "broadcast" },
        { id: "bait", day: 4, at: "10:00", channel: "private_chat", content: "f", delivery: "mass_send", waitFor: { event: "x", timeout: "1d", alternatives: [{ content: "g", channel: "sms", delivery: "chat" }] } },
      ] }],
    });
    expect(issues.map((i) => i.path).sort()).toEqual(["stages[0].sop[2].delivery", "stages[0].sop[3].mode", "stages[0].sop[4].delivery", "stages[0].sop[5].waitFor.alternatives[0].delivery"]);
    expect(issues.find((i) => i.path === "stages[0].sop[2].delivery")!.message).toMatch(/delivery goes with channel "private_chat" \(this step is on "sms"\)/);
    expect(issues.find((i) => i.path === "stages[0].sop[3].mode")!.message).toMatch(/群发助手 task sopline prepares/);
  });

  it("the error message lists the problems for humans", () => {
    expect(() => defineJourney({ id: "x", version: 0, timezone: SH, entry: "a", stages: [{ id: "a", sop: [] }] })).toThrow(/Invalid journey "x" \(1 problem\):\n {2}- version:/);
  });

  it("exports the definition format as JSON Schema for editors", () => {
    const schema = journeyJsonSchema() as { type: string; required: string[]; properties: Record<string, { description?: string }> };
    expect(schema.type).toBe("object");
    expect(schema.required).toEqual(expect.arrayContaining(["id", "version", "timezone", "entry", "stages"]));
    expect(JSON.stringify(schema)).toContain("private_chat");
  });
});
