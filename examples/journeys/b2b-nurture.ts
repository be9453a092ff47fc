import type { JourneyDefinition } from "@sopline/core";

/**
 * B2B lead nurture, "six touches" (DOMAIN.md): day 0 greeting + whitepaper, day 1 case, day 3
 * article, day 7 trial offer, weekly cases for a month, then a monthly digest. Attending a demo
 * moves the lead to "interested": a trial push and a call task for sales.
 */
export const b2bNurture: JourneyDefinition = {
  id: "b2b-nurture",
  version: 1,
  name: "B2B lead nurture",
  timezone: "Asia/Shanghai",
  entry: "new",
  window: { from: "09:00", to: "21:00" },
  frequencyCap: { max: 2, per: "1d" },
  stages: [
    {
      id: "new",
      name: "新客培育 nurture",
      kind: "nurture",
      sop: [
        // the welcome: sent by send_welcome_msg within 20 s of the friend-add
        { id: "greet", after: "0m", channel: "private_chat", content: "greeting", expireAfter: "6h" },
        // the first days by hand: chat tasks the staff member sends from the chat toolbar
        { id: "whitepaper", after: "2h", unless: "message.replied", channel: "private_chat", content: "whitepaper", mode: "task" },
        { id: "case", day: 1, at: "09:00", channel: "private_chat", content: "case-1", mode: "task" },
        { id: "article", day: 3, at: "20:00", channel: "official_account", content: "article-1" },
        // then 群发助手, gathered into the staff member's daily send slots
        { id: "trial", day: 7, at: "10:00", channel: "private_chat", delivery: "mass_send", content: "trial-offer" },
        { id: "weekly-case", day: 14, at: "10:00", repeat: { every: "1w", times: 4 }, channel: "private_chat", delivery: "mass_send", content: "case-weekly" },
        { id: "digest", day: 45, at: "20:00", repeat: { every: "1mo", times: 6 }, channel: "official_account", content: "monthly-digest" },
      ],
    },
    {
      id: "interested",
      name: "感兴趣 interested",
      onEnter: { addTags: ["mql"] },
      sop: [
        { id: "trial-push", after: "1h", channel: "private_chat", content: "trial-offer", mode: "task" },
        { id: "sales-call", day: 1, at: "10:00", channel: "call", content: "call-script", mode: "task" },
        { id: "case-followup", day: 3, at: "20:00", channel: "private_chat", delivery: "mass_send", content: "case-2" },
      ],
    },
    {
      id: "quiet",
      name: "安静 quiet",
      kind: "quiet",
      sop: [
        { id: "wake-digest", day: 1, at: "20:00", channel: "moments", content: "monthly-digest" },
        { id: "wake-offer", day: 7, at: "20:00", channel: "private_chat", delivery: "mass_send", content: "reactivation-offer" },
        // Silent leads stay nurtured, monthly, for a year (operators: B2B cycles run 6–12 months).
        { id: "quiet-monthly", day: 30, at: "20:00", repeat: { every: "1mo", times: 12 }, channel: "official_account", content: "monthly-digest" },
      ],
    },
    {
      id: "converted",
      name: "成交 converted",
      kind: "converted",
      sop: [
        { id: "thanks", after: "0m", channel: "private_chat", content: "thank-you", mode: "task" },
        { id: "member-care", day: 30, at: "10:00", repeat: { every: "1mo" }, channel: "official_account", content: "care-monthly" },
      ],
    },
  ],
  transitions: [
    { from: ["new", "quiet"], to: "interested", on: "demo.attended" },
    { from: "*", to: "converted", on: "order.paid" },
    { from: ["new", "interested"], to: "quiet", silentFor: "30d" },
    { from: "quiet", to: "interested", on: "message.replied" },
  ],
  tagRules: [
    { tag: "engaged", on: "link.clicked", count: 3, within: "7d" },
    { tag: "replied", on: "message.replied" },
  ],
};
