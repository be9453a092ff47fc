import type { JourneyDefinition } from "@sopline/core";

/** Reactivation (DOMAIN.md): customers silent for 30 days enter "quiet", an activation SOP runs, any reply moves them back. */
export const reactivation: JourneyDefinition = {
  id: "reactivation",
  version: 1,
  timezone: "Asia/Shanghai",
  entry: "active",
  stages: [
    { id: "active", kind: "active", sop: [{ id: "monthly-care", day: 14, at: "10:00", repeat: { every: "1mo" }, channel: "private_chat", delivery: "mass_send", content: "care-monthly" }] },
    {
      id: "quiet",
      kind: "quiet",
      sop: [
        // Before the wait: a customer who never answers still hears from us monthly.
        { id: "quiet-monthly", day: 30, at: "20:00", repeat: { every: "1mo", times: 12 }, channel: "official_account", content: "care-monthly" },
        { id: "activate", day: 0, at: "20:00", channel: "private_chat", delivery: "mass_send", content: "activation-1", waitFor: { event: "message.replied", timeout: "3d", alternatives: [{ content: "activation-coupon" }, { content: "activation-survey", channel: "sms" }], onTimeout: "stay" } },
      ],
    },
  ],
  transitions: [
    { from: "active", to: "quiet", silentFor: "30d" },
    { from: "quiet", to: "active", on: ["message.replied", "link.clicked", "order.paid"] },
  ],
};
