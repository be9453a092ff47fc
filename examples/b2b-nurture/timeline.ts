// Prints the timeline one customer would receive in the B2B nurture journey: a demo on day 2,
// then nothing for a while (quiet), then a reply. Run: npx tsx examples/b2b-nurture/timeline.ts
import { defineJourney, renderTimeline } from "@sopline/core";
import { b2bNurture } from "../journeys/index.js";

const journey = defineJourney(b2bNurture);
const start = "2026-11-23T10:00:00+08:00";
const sim = journey.simulate(
  { id: "lead-001", assignee: "sales-amy" },
  [
    { type: "event", id: "e1", name: "demo.attended", at: "2026-11-25T15:00:00+08:00" },
    { type: "event", id: "e2", name: "message.replied", at: "2027-01-20T21:00:00+08:00" },
  ],
  { start, until: "2027-02-01T00:00:00+08:00" },
);
console.log(`Journey "${journey.id}" v${journey.version} for customer ${sim.customer}\n`);
console.log(renderTimeline(sim.effects, { timezone: b2bNurture.timezone }));
