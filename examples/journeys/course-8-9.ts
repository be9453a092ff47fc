import type { JourneyDefinition } from "@sopline/core";

/**
 * An ¥8.9 online course (DOMAIN.md): 11 touches in the 2 days after following the official
 * account — offer release, brand Q&A, objection answers, articles, daily hello, student cases.
 */
export const course89: JourneyDefinition = {
  id: "course-8-9",
  version: 1,
  name: "¥8.9 course launch",
  timezone: "Asia/Shanghai",
  entry: "followed",
  quietHours: { from: "23:00", to: "07:30" },
  stages: [
    {
      id: "followed",
      kind: "nurture",
      sop: [
        { id: "offer", after: "0m", channel: "official_account", content: "offer-8-9" },
        { id: "brand-qa", after: "30m", channel: "official_account", content: "brand-qa" },
        { id: "objection-price", after: "2h", channel: "private_chat", content: "objection-price", unless: "order.paid", mode: "task" },
        { id: "article-1", day: 0, at: "20:00", channel: "official_account", content: "article-why" },
        { id: "student-case-1", day: 0, at: "21:30", channel: "private_chat", delivery: "mass_send", content: "case-student-1" },
        { id: "hello-1", day: 1, at: "08:00", channel: "private_chat", delivery: "mass_send", content: "daily-hello" },
        { id: "objection-time", day: 1, at: "12:00", channel: "private_chat", content: "objection-time", unless: "order.paid", mode: "task" },
        { id: "article-2", day: 1, at: "18:00", channel: "official_account", content: "article-how" },
        { id: "student-case-2", day: 1, at: "21:00", channel: "private_chat", delivery: "mass_send", content: "case-student-2" },
        { id: "hello-2", day: 2, at: "08:00", channel: "private_chat", delivery: "mass_send", content: "daily-hello" },
        { id: "last-call", day: 2, at: "08:30", channel: "private_chat", content: "offer-last-call", unless: "order.paid", mode: "task" },
        // Followers who did not buy in the first two days hear from the account monthly.
        { id: "monthly-article", day: 30, at: "20:00", repeat: { every: "1mo", times: 12 }, channel: "official_account", content: "article-monthly", unless: "order.paid" },
      ],
    },
    {
      id: "student",
      sop: [
        { id: "welcome", after: "0m", channel: "mini_program", content: "course-welcome" },
        { id: "course-news", day: 30, at: "20:00", repeat: { every: "1mo" }, channel: "official_account", content: "course-news" },
      ],
    },
  ],
  transitions: [{ from: "followed", to: "student", on: "order.paid" }],
};
