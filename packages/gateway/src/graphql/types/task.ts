import type { Channel } from "@sopline/core";
import { builder } from "../builder.js";
import { trackedChatMessages } from "../services/chat-messages.js";
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
    chatMessages: t.field({
      type: ["JSON"],
      nullable: true,
      description:
        'For a 1:1 chat task: the content as JS-SDK `wx.invoke("sendChatMessage", payload)` payloads, in order (text, then news / miniprogram / media cards), for a one-tap send from the chat toolbar; then call reportChatMessageSent. null for other tasks or when the content is missing or cannot be sent that way.',
      resolve: async (task, _args, ctx) => {
        if (task.kind !== "chat" || task.channel !== "private_chat" || !task.content) return null;
        const entry = await ctx.loaders.content.load(task.content);
        try {
          return entry ? await trackedChatMessages(ctx, { content: task.content, deliveryKey: task.deliveryKey }, entry.body) : null;
        } catch {
          return null;
        }
      },
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
