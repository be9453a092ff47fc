import type { JourneyDefinition } from "@sopline/core";

/**
 * The benchmark workload's stage (from the operators' SOPs): 8 steps at +0h, then 09:00 Shanghai on
 * days 1, 2, 3, 7, 14, 30 and 60 after entry. No expiry and no task steps, so every step becomes
 * exactly one delivery row.
 */
export const eightStepJourney: JourneyDefinition = {
  id: "bench8",
  version: 1,
  timezone: "Asia/Shanghai",
  entry: "new",
  stages: [
    {
      id: "new",
      sop: [
        { id: "s0", after: "0m", channel: "private_chat", content: "greeting" },
        ...[1, 2, 3, 7, 14, 30, 60].map((day) => ({ id: `d${day}`, day, at: "09:00", channel: "private_chat" as const, content: `content-d${day}` })),
      ],
    },
  ],
};

/**
 * The same journey with rules that read event data (issue 16): a read of case-1 for at least 60 s
 * tags the customer high-intent, and the tag moves them to "interested".
 */
export function withDataRules(def: JourneyDefinition): JourneyDefinition {
  return {
    ...def,
    stages: [...def.stages, { id: "interested", sop: [{ id: "call", after: "1h", channel: "call", content: "call-script", mode: "task" }] }],
    tagRules: [{ on: "content.read", where: { "data.seconds": { gte: 60 }, "data.content": "case-1" }, tag: "high-intent" }],
    transitions: [{ from: "new", to: "interested", tag: "high-intent" }],
  };
}
