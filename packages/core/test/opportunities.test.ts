import { describe, expect, it } from "vitest";
import { type JourneyDefinition, validateJourney } from "../src/index.js";

const base: JourneyDefinition = { id: "j", version: 1, timezone: "Asia/Shanghai", entry: "new", stages: [{ id: "new", sop: [] }] };

describe("journey opportunities config", () => {
  it("accepts event names and { event, intent } per kind", () => {
    expect(validateJourney({ ...base, opportunities: { call: ["demo.requested", { event: "content.read", intent: 70 }], chat: ["message.replied"] } })).toEqual([]);
  });

  it("reports bad entries with their paths", () => {
    const issues = validateJourney({
      ...base,
      opportunities: { call: ["demo.requested", { event: "", intent: 0 }], chat: ["demo.requested"], sms: [] } as never,
    });
    expect(issues).toEqual([
      { path: "opportunities.call[1].event", message: "an event name cannot be empty" },
      { path: "opportunities.call[1].intent", message: expect.stringMatching(/>=1/) },
      { path: "opportunities", message: 'Unrecognized key: "sms"' },
      { path: "opportunities.chat[0]", message: '"demo.requested" is already a call signal: an event makes one kind of opportunity' },
    ]);
  });
});
