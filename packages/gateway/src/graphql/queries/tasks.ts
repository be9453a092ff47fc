import { builder } from "../builder.js";
import type { Prisma } from "../../db/index.js";
import { type Context, staffScope } from "../context.js";
import { badInput } from "../errors.js";
import { MAX_PAGE, MAX_TASKS_SINCE } from "../limits.js";
import { taskScope } from "../services/visibility.js";
import { TaskStatusEnum } from "../types/enums.js";
import { TaskType } from "../types/task.js";

const MAX_SEQ = 9_223_372_036_854_775_807n;

const myTasksWhere = (ctx: Context, args: { staffId?: string | number | null; status?: string | null }): Prisma.TaskWhereInput => ({
  ...taskScope(ctx),
  staffId: staffScope(ctx, args.staffId ? String(args.staffId) : null, true),
  ...(args.status ? { status: args.status } : {}),
});

builder.queryFields((t) => ({
  myTasks: t.prismaConnection(
    {
      type: TaskType,
      cursor: "id",
      maxSize: MAX_PAGE,
      defaultSize: 50,
      description: "A staff member's tasks, soonest due first. Staff token: their own; API key: pass staffId.",
      args: {
        status: t.arg({ type: TaskStatusEnum, description: "only tasks in this status (default: all)" }),
        staffId: t.arg.id({ description: "with an API key: whose tasks" }),
      },
      totalCount: (_root, args, ctx) => ctx.db.prisma.task.count({ where: myTasksWhere(ctx, args) }),
      resolve: (query, _root, args, ctx) => ctx.db.prisma.task.findMany({ ...query, where: myTasksWhere(ctx, args), orderBy: [{ dueAt: "asc" }, { id: "asc" }] }),
    },
    { name: "TaskConnection" },
    { name: "TaskEdge" },
  ),
  tasksSince: t.prismaField({
    type: [TaskType],
    description: `Feed catch-up: tasks with seq greater than the cursor, in seq order (at most ${MAX_TASKS_SINCE}). Staff token: their own; API key: staffId, or the whole workspace.`,
    args: {
      seq: t.arg.string({ required: true, description: 'the largest seq already seen ("0" for everything)' }),
      staffId: t.arg.id(),
      first: t.arg.int({ defaultValue: MAX_TASKS_SINCE }),
    },
    resolve: (query, _root, args, ctx) => {
      if (!/^\d{1,19}$/.test(args.seq) || BigInt(args.seq) > MAX_SEQ) throw badInput(`seq: expected a non-negative integer string (a task's seq), got ${JSON.stringify(args.seq)}`);
      const staffId = staffScope(ctx, args.staffId ? String(args.staffId) : null);
      const take = Math.min(Math.max(args.first ?? MAX_TASKS_SINCE, 1), MAX_TASKS_SINCE);
      return ctx.db.prisma.task.findMany({
        ...query,
        where: { ...taskScope(ctx), ...(staffId ? { staffId } : {}), seq: { gt: BigInt(args.seq) } },
        orderBy: { seq: "asc" },
        take,
      });
    },
  }),
}));
