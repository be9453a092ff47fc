import type { Channel } from "@sopline/core";
import { builder } from "../builder.js";
import { customerVisible } from "../services/visibility.js";
import { ContentType } from "./content.js";
import { CustomerType } from "./customer.js";
import { ChannelEnum, type TaskStatus, TaskStatusEnum } from "./enums.js";

export const TaskType = builder.prismaObject("Task", {
  description: "A touch a person must do (confirm a mass send, call, chat).",
  fields: (t) => ({
    id: t.exposeID("id"),
    seq: t.string({ description: "Feed cursor (a growing integer, as a string): pass the largest seen to tasksSince.", resolve: (task) => String(task.seq) /* NULL only inside the inserting transaction, never read here */ }),
    kind: t.exposeString("kind", { description: "chat | call | mass_send | …" }),
    channel: t.field({ type: ChannelEnum, nullable: true, resolve: (task) => task.channel as Channel | null }),
    content: t.exposeString("content", { nullable: true, description: "content ref" }),
    contentEntry: t.field({
      type: ContentType,
      nullable: true,
      description: "the content library entry for `content`",
      resolve: (task, _args, ctx) => (task.content ? ctx.loaders.content.load(task.content) : null),
    }),
    title: t.exposeString("title"),
    status: t.field({ type: TaskStatusEnum, resolve: (task) => task.status as TaskStatus }),
    dueAt: t.expose("dueAt", { type: "DateTime" }),
    snoozedUntil: t.expose("snoozedUntil", { type: "DateTime", nullable: true }),
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    customerId: t.exposeID("customerId"),
    customer: t.field({
      type: CustomerType,
      nullable: true,
      description: "null for a staff token once the customer is another member's (handed over since the task was made)",
      // Loaded with the task (no query per task); only the visibility check is per row.
      select: (_args, _ctx, nestedSelection) => ({ customer: nestedSelection(true) }),
      resolve: (task, _args, ctx) => (customerVisible(ctx, task.customer) ? task.customer : null),
    }),
    staffId: t.exposeID("staffId"),
    staff: t.relation("staff"),
  }),
});
