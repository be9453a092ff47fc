import { CHANNELS, type Channel } from "@sopline/core";
import { builder } from "../builder.js";

export const ChannelEnum = builder.enumType("Channel", {
  description: "Where a touch happens (the core's channels).",
  values: Object.fromEntries(CHANNELS.map((c) => [c.toUpperCase(), { value: c }])) as Record<Uppercase<Channel>, { value: Channel }>,
});

export type TaskStatus = "open" | "done" | "skipped" | "snoozed";

export const TaskStatusEnum = builder.enumType("TaskStatus", {
  values: {
    OPEN: { value: "open" as const, description: "to do" },
    DONE: { value: "done" as const, description: "completed by the staff member" },
    SKIPPED: { value: "skipped" as const, description: "deliberately not done" },
    SNOOZED: { value: "snoozed" as const, description: "postponed until snoozedUntil" },
  },
});

export const TaskChangeEnum = builder.enumType("TaskChange", {
  values: {
    CREATED: { value: "created" as const, description: "a new task for this staff member (or one handed over to them)" },
    UPDATED: { value: "updated" as const, description: "completed, skipped or snoozed" },
    REMOVED: { value: "removed" as const, description: "no longer this staff member's (handed over)" },
    ALERT: { value: "alert" as const, description: "not a task: a customer is showing intent now, or (for a lead) an opportunity was escalated; see `alert` (`task` carries its line as title, kind \"alert\", seq \"0\")" },
  },
});

export const UnknownCustomersEnum = builder.enumType("UnknownCustomers", {
  description: "What event ingestion does with an event for a customer the workspace does not know.",
  values: {
    CREATE: { value: "create" as const, description: "create the customer and route them by the segment rules" },
    REJECT: { value: "reject" as const, description: "reject the event (UNKNOWN_CUSTOMER); the rest of the batch is kept" },
  },
});

export const CustomerIdKindEnum = builder.enumType("CustomerIdKind", {
  values: {
    EXTERNAL: { value: "external" as const, description: "the caller's own id for the customer" },
    WECOM: { value: "wecom" as const, description: "WeCom external_userid" },
    OPENID: { value: "openid" as const, description: "official-account openid" },
    UNIONID: { value: "unionid" as const, description: "WeChat unionid" },
  },
});

export const AuthKindEnum = builder.enumType("AuthKind", {
  values: {
    API_KEY: { value: "apiKey" as const, description: "a workspace API key (a server)" },
    STAFF: { value: "staff" as const, description: "a staff member's token" },
  },
});

export const DeliveryReportEnum = builder.enumType("DeliveryReport", {
  values: {
    SENT: { value: "sent" as const },
    FAILED: { value: "failed" as const },
  },
});
