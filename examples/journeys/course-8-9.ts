import type { JourneyDefinition } from "@sopline/core";

/**
 * An ¥8.9 online course (DOMAIN.md), run on the official account from the follow: the follow
 * (`subscribe`, e.g. through the course's QR code) enrolls, and 11 touches on the account's
 * customer-service messages follow in the next 2 days — offer release, brand Q&A, objection
 * answers, articles, daily hello, student cases — all inside 08:00–22:00 and within 48 h of the
 * follow. Run it with the workspace marketing cap (e.g. 6 a day): a follower at 23:30 gets the
 * morning's backlog spread over the hours after 08:00, not five messages at once.
 * WeChat counts customer-service messages (WECHAT.md: 3 within a minute of a follow, 5 in the 48 h
 * after each message of the follower): the offer asks for a reply (回复 1 领取), and sopline's
 * adapter does not count that quota for you — a step over it fails with WeChat's error.
 */
export const course89: JourneyDefinition = {
  id: "course-8-9",
  version: 1,
  name: "¥8.9 course launch",
  timezone: "Asia/Shanghai",
  entry: "followed",
  window: { from: "08:00", to: "22:00" },
  stages: [
    {
      id: "followed",
      kind: "nurture",
      sop: [
        { id: "offer", after: "0m", channel: "official_account", content: "offer-8-9", priority: 90 },
        { id: "brand-qa", after: "30m", channel: "official_account", content: "brand-qa", priority: 70 },
        { id: "objection-price", after: "2h", channel: "official_account", content: "objection-price", unless: "order.paid" },
        { id: "article-1", day: 0, at: "20:00", channel: "official_account", content: "article-why" },
        { id: "student-case-1", day: 0, at: "21:30", channel: "official_account", content: "case-student-1" },
        { id: "hello-1", day: 1, at: "08:00", channel: "official_account", content: "daily-hello", priority: 30 },
        { id: "objection-time", day: 1, at: "12:00", channel: "official_account", content: "objection-time", unless: "order.paid" },
        { id: "article-2", day: 1, at: "18:00", channel: "official_account", content: "article-how" },
        { id: "student-case-2", day: 1, at: "21:00", channel: "official_account", content: "case-student-2" },
        { id: "hello-2", day: 2, at: "08:00", channel: "official_account", content: "daily-hello", priority: 30 },
        { id: "last-call", day: 2, at: "08:30", channel: "official_account", content: "offer-last-call", unless: "order.paid", priority: 80 },
        // Followers who did not buy in the first two days hear from the account monthly.
        { id: "monthly-article", day: 30, at: "20:00", repeat: { every: "1mo", times: 12 }, channel: "official_account", content: "article-monthly", unless: "order.paid" },
      ],
    },
    {
      id: "student",
      sop: [
        { id: "welcome", after: "0m", channel: "mini_program", content: "course-welcome", kind: "service" },
        { id: "course-news", day: 30, at: "20:00", repeat: { every: "1mo" }, channel: "official_account", content: "course-news" },
      ],
    },
  ],
  transitions: [{ from: "followed", to: "student", on: "order.paid" }],
};
