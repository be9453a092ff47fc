import { builder } from "../builder.js";
import { changeTask } from "../services/tasks.js";
import { TaskType } from "../types/task.js";
import { notFound } from "../errors.js";
import type { Context } from "../context.js";

async function reload(ctx: Context, query: object, id: string) {
  const task = await ctx.db.prisma.task.findUnique({ ...query, where: { id } });
  if (!task) throw notFound("task", id);
  return task;
}

builder.mutationFields((t) => ({
  completeTask: t.prismaField({
    type: TaskType,
    description: "Marks a task done (a staff token: only their own). Publishes an UPDATED notice on the owner's task feed.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => reload(ctx, query, await changeTask(ctx, String(args.id), { type: "complete" })),
  }),
  reportChatMessageSent: t.prismaField({
    type: TaskType,
    description:
      "The chat toolbar reports a 1:1 chat task's message sent (its sendChatMessage callback said sendChatMessage:ok): the task is done and its delivery recorded sent (provider_id sendChatMessage). Only for chat tasks; a staff token only for its own. Reporting again returns the task unchanged.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => reload(ctx, query, await changeTask(ctx, String(args.id), { type: "complete", via: "sendChatMessage" })),
  }),
  skipTask: t.prismaField({
    type: TaskType,
    description: "Skips a task, with a reason (a staff token: only their own).",
    args: { id: t.arg.id({ required: true }), reason: t.arg.string({ required: true }) },
    extensions: { limits: { strings: { reason: 500 } } },
    resolve: async (query, _root, args, ctx) => reload(ctx, query, await changeTask(ctx, String(args.id), { type: "skip", reason: args.reason })),
  }),
  snoozeTask: t.prismaField({
    type: TaskType,
    description: "Postpones a task until a later time (a staff token: only their own).",
    args: { id: t.arg.id({ required: true }), until: t.arg({ type: "DateTime", required: true }) },
    resolve: async (query, _root, args, ctx) => reload(ctx, query, await changeTask(ctx, String(args.id), { type: "snooze", until: args.until })),
  }),
}));
