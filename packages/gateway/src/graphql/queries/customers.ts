import type { Prisma } from "../../db/index.js";
import { builder } from "../builder.js";
import type { Context } from "../context.js";
import { MAX_PAGE } from "../limits.js";
import { customerScope } from "../services/visibility.js";
import { notFound } from "../errors.js";
import { CustomerType } from "../types/customer.js";

const customerWhere = (ctx: Context, args: { journeyKey?: string | null; stage?: string | null; tag?: string | null }): Prisma.CustomerWhereInput => ({
  ...customerScope(ctx),
  ...(args.journeyKey || args.stage
    ? { enrollments: { some: { endedAt: null, ...(args.journeyKey ? { journeyKey: args.journeyKey } : {}), ...(args.stage ? { stage: args.stage } : {}) } } }
    : {}),
  ...(args.tag ? { tags: { some: { tag: args.tag } } } : {}),
});

builder.queryFields((t) => ({
  customer: t.prismaField({
    type: CustomerType,
    description: "One customer with their journeys (past and upcoming steps) and tags. NOT_FOUND when the caller may not see them.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const customer = await ctx.db.prisma.customer.findFirst({ ...query, where: { ...customerScope(ctx), id: String(args.id) } });
      if (!customer) throw notFound("customer", String(args.id));
      return customer;
    },
  }),
  customers: t.prismaConnection(
    {
      type: CustomerType,
      cursor: "id",
      maxSize: MAX_PAGE,
      defaultSize: 50,
      description: "Customers, oldest first (a staff token: their own).",
      args: {
        journeyKey: t.arg.string({ description: "only customers with an active enrollment in this journey" }),
        stage: t.arg.string({ description: "only customers currently in this stage" }),
        tag: t.arg.string(),
      },
      totalCount: (_root, args, ctx) => ctx.db.prisma.customer.count({ where: customerWhere(ctx, args) }),
      resolve: (query, _root, args, ctx) => ctx.db.prisma.customer.findMany({ ...query, where: customerWhere(ctx, args), orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    },
    { name: "CustomerConnection" },
    { name: "CustomerEdge" },
  ),
}));
