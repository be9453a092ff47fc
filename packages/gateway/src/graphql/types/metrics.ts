import { builder } from "../builder.js";
import type { MetricDimension, MetricPeriod, MetricRow, TargetPeriod, TargetProgress, TouchBucket } from "../../metrics/index.js";
import { rate } from "../../metrics/index.js";

export const MetricDimensionEnum = builder.enumType("MetricDimension", {
  description: "What metrics are grouped or filtered by.",
  values: {
    JOURNEY: { value: "journey" as MetricDimension },
    STAGE: { value: "stage" as MetricDimension },
    STEP: { value: "step" as MetricDimension },
    CONTENT: { value: "content" as MetricDimension, description: "the content ref" },
    CHANNEL: { value: "channel" as MetricDimension },
    STAFF: { value: "staff" as MetricDimension, description: "the staff member of the enrollment (of the customer, for events with no touch before them)" },
    COHORT_WEEK: { value: "cohortWeek" as MetricDimension, description: "the week (its Monday, China time) the customer entered the journey" },
  },
});

export const MetricPeriodEnum = builder.enumType("MetricPeriod", {
  values: {
    DAY: { value: "day" as MetricPeriod, description: "per calendar day, China time" },
    WEEK: { value: "week" as MetricPeriod, description: "per week (Monday to Sunday)" },
    TOTAL: { value: "total" as MetricPeriod, description: "one row per group for the whole range" },
  },
});

export const TargetPeriodEnum = builder.enumType("TargetPeriod", {
  values: { DAY: { value: "day" as TargetPeriod }, WEEK: { value: "week" as TargetPeriod }, MONTH: { value: "month" as TargetPeriod } },
});

export const MetricsFilterInput = builder.inputType("MetricsFilter", {
  description: "Only rows with these values (a staff token always sees its own staff member's only).",
  fields: (t) => ({
    journeyKey: t.string(),
    stage: t.string(),
    stepId: t.string(),
    content: t.string(),
    channel: t.string({ description: "a core channel name, e.g. private_chat" }),
    staffId: t.id(),
    cohortWeek: t.string({ description: 'a Monday, "YYYY-MM-DD"' }),
  }),
});

export const MetricRowType = builder.objectRef<MetricRow>("MetricRow").implement({
  description:
    "Metrics of one period and group. Touch measures (sent, massConfirmed, failed, replied*) count on the touch's day; event measures (opened, read, clicked, deleted, converted) on the event's day, under the touch they are attributed to.",
  fields: (t) => ({
    period: t.exposeString("period", { description: 'the day, the week\'s Monday, or `from` for TOTAL ("YYYY-MM-DD")' }),
    journeyKey: t.exposeString("journeyKey", { nullable: true, description: "when grouped by it; \"\" = events with no touch before them" }),
    stage: t.exposeString("stage", { nullable: true }),
    stepId: t.exposeString("stepId", { nullable: true }),
    content: t.exposeString("content", { nullable: true }),
    channel: t.exposeString("channel", { nullable: true }),
    staffId: t.exposeString("staffId", { nullable: true, description: '"" = no staff member' }),
    cohortWeek: t.exposeString("cohortWeek", { nullable: true }),
    sent: t.exposeInt("sent", { description: "touches sent (other than 群发助手)" }),
    massConfirmed: t.exposeInt("massConfirmed", { description: "群发助手 touches the staff member confirmed and WeCom sent" }),
    failed: t.exposeInt("failed", { description: "touches that failed" }),
    delivered: t.exposeInt("delivered", { description: "sent + massConfirmed" }),
    opened: t.exposeInt("opened", {
      description: "content.opened events, plus the anonymous opens of 群发助手 / Moments links (openedAnonymous) under the message's step, content and staff member",
    }),
    openedAnonymous: t.exposeInt("openedAnonymous", {
      description: "opens of a 群发助手 task's or Moments post's link by a reader who is not (or cannot be named as) one of its recipients; included in opened, in no per-customer figure",
    }),
    read: t.exposeInt("read", { description: "content.read events" }),
    readSecondsAvg: t.exposeFloat("readSecondsAvg", { nullable: true, description: "average data.seconds of content.read events (dwell time)" }),
    clicked: t.exposeInt("clicked", { description: "link.clicked events" }),
    replied24h: t.exposeInt("replied24h", { description: "delivered touches followed by a message.replied within 24 hours" }),
    replied72h: t.exposeInt("replied72h", { description: "delivered touches followed by a message.replied within 72 hours" }),
    deleted: t.exposeInt("deleted", { description: "contact.deleted by the customer, attributed to the last touch before it" }),
    converted: t.exposeInt("converted", { description: "journey goals reached (first goal event within the goal's window), attributed to the last touch of the journey before it" }),
    openRate: t.float({ nullable: true, description: "opened / delivered (anonymous opens included: can exceed 1 when a post is forwarded)", resolve: (r) => rate(r.opened, r.delivered) }),
    replyRate24h: t.float({ nullable: true, description: "replied24h / delivered", resolve: (r) => rate(r.replied24h, r.delivered) }),
    replyRate72h: t.float({ nullable: true, description: "replied72h / delivered", resolve: (r) => rate(r.replied72h, r.delivered) }),
    deletionRate: t.float({ nullable: true, description: "deleted / delivered", resolve: (r) => rate(r.deleted, r.delivered) }),
    conversionRate: t.float({ nullable: true, description: "converted / delivered", resolve: (r) => rate(r.converted, r.delivered) }),
  }),
});

export const TouchBucketType = builder.objectRef<TouchBucket>("TouchBucket").implement({
  description: "Customers who received this many touches (before converting, if they did) and how many converted.",
  fields: (t) => ({
    touches: t.exposeInt("touches"),
    orMore: t.exposeBoolean("orMore", { description: "the last bucket: this many touches or more" }),
    customers: t.exposeInt("customers"),
    converted: t.exposeInt("converted"),
    conversionRate: t.exposeFloat("conversionRate", { nullable: true }),
  }),
});

export const TargetProgressType = builder.objectRef<TargetProgress>("TargetProgress").implement({
  description: "A team target (events of a name per period) and the count so far in the current period.",
  fields: (t) => ({
    event: t.exposeString("event"),
    period: t.field({ type: TargetPeriodEnum, resolve: (p) => p.period }),
    target: t.exposeInt("target"),
    periodStart: t.exposeString("periodStart", { description: "first day of the period (China time)" }),
    periodEnd: t.exposeString("periodEnd", { description: "last day of the period, inclusive" }),
    count: t.exposeInt("count", { description: "events in the period as of the last metrics refresh (a staff token: its own customers')" }),
    progress: t.exposeFloat("progress", { description: "count / target" }),
  }),
});
