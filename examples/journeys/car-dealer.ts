import type { JourneyDefinition } from "@sopline/core";

/** Car dealer (DOMAIN.md): a one-month test-drive invitation journey per staff account. */
export const carDealer: JourneyDefinition = {
  id: "car-test-drive",
  version: 1,
  timezone: "Asia/Shanghai",
  entry: "lead",
  window: [
    { from: "10:00", to: "12:00", days: ["weekdays"] },
    { from: "17:30", to: "20:30", days: ["weekdays"] },
    { from: "07:00", to: "11:00", days: ["weekend"] },
  ],
  stages: [
    {
      id: "lead",
      kind: "nurture",
      sop: [
        { id: "welcome", after: "0m", channel: "private_chat", content: "dealer-welcome" },
        { id: "first-call", day: 1, at: "10:30", channel: "call", content: "call-invite", mode: "task" },
        { id: "model-video", day: 2, at: "18:00", channel: "private_chat", delivery: "mass_send", content: "model-video" },
        { id: "invite", day: 5, at: "08:00", channel: "private_chat", delivery: "mass_send", content: "test-drive-invite", waitFor: { event: "testdrive.booked", timeout: "5d", alternatives: [{ content: "test-drive-gift" }] } },
        { id: "owner-stories", day: 7, at: "18:00", repeat: { every: "1w", times: 3 }, channel: "moments", content: "owner-story", mode: "task" },
        { id: "monthly-offer", day: 45, at: "10:30", repeat: { every: "1mo", times: 12 }, channel: "private_chat", content: "monthly-offer", mode: "task" },
      ],
    },
    { id: "booked", sop: [
      { id: "confirm", after: "0m", channel: "private_chat", content: "booking-confirmation", mode: "task" },
      { id: "reminder-call", day: 1, at: "10:00", channel: "call", content: "call-reminder", mode: "task" },
      { id: "owner-care", day: 30, at: "10:30", repeat: { every: "1mo" }, channel: "private_chat", content: "care-monthly", mode: "task" },
    ] },
  ],
  transitions: [{ from: "lead", to: "booked", on: "testdrive.booked" }],
};
