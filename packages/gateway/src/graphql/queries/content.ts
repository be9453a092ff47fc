import { builder } from "../builder.js";
import type { Prisma } from "../../db/index.js";
import { customerKeyRanges, dueDeliveries } from "../../delivery/read-by-range.js";
import { type Context, requireAuth } from "../context.js";
import { badInput, notFound } from "../errors.js";
import { MAX_PAGE } from "../limits.js";
import { customerScope } from "../services/visibility.js";
import { ContentType } from "../types/content.js";
import { DeliveryType } from "../types/delivery.js";
import { ChannelEnum, CustomerIdKindEnum } from "../types/enums.js";

const contentWhere = (ctx: Context, args: { type?: string | null; expiredOnly?: boolean | null }): Prisma.ContentWhereInput => ({
  workspaceId: requireAuth(ctx).workspaceId,
  ...(args.type ? { type: args.type } : {}),
  ...(args.expiredOnly ? { expiresAt: { lte: ctx.now } } : {}),
});

builder.queryFields((t) => ({
  content: t.prismaField({
    type: ContentType,
    args: { ref: t.arg.string({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const row = await ctx.db.prisma.content.findFirst({ ...query, where: { workspaceId: requireAuth(ctx).workspaceId, ref: args.ref } });
      if (!row) throw notFound("content", args.ref);
      return row;
    },
  }),
  contents: t.prismaConnection(
    {
      type: ContentType,
      cursor: "id",
      maxSize: MAX_PAGE,
      defaultSize: 50,
      description: "The content library by ref.",
      args: {
        type: t.arg.string(),
        expiredOnly: t.arg.boolean({ defaultValue: false, description: "only entries past their expiry (to replace them)" }),
      },
      totalCount: (_root, args, ctx) => ctx.db.prisma.content.count({ where: contentWhere(ctx, args) }),
      resolve: (query, _root, args, ctx) => ctx.db.prisma.content.findMany({ ...query, where: contentWhere(ctx, args), orderBy: [{ ref: "asc" }, { id: "asc" }] }),
    },
    { name: "ContentConnection" },
    { name: "ContentEdge" },
  ),
  contentDue: t.prismaField({
    type: [DeliveryType],
    description:
      "What an official-account (or other channel) server asks: the most recent deliveries due for this customer on this channel and not yet sent, newest first, each with its content entry. Report the outcome with acknowledgeDeliveries.",
    args: {
      customer: t.arg.string({ required: true, description: "the customer's external id, openid, WeCom external_userid or unionid" }),
      idKind: t.arg({ type: CustomerIdKindEnum, description: "which id `customer` is (default: any of them)" }),
      channel: t.arg({ type: ChannelEnum, required: true }),
      limit: t.arg.int({ defaultValue: 10, description: "at most 100" }),
    },
    resolve: async (_query, _root, args, ctx) => {
      const id = args.customer;
      const identity =
        args.idKind === "external" ? { externalId: id }
        : args.idKind === "openid" ? { oaOpenId: id }
        : args.idKind === "wecom" ? { wecomExternalUserId: id }
        : args.idKind === "unionid" ? { unionId: id }
        : { OR: [{ externalId: id }, { oaOpenId: id }, { wecomExternalUserId: id }, { unionId: id }] };
      const workspaceId = requireAuth(ctx).workspaceId;
      // A channel is either pulled (here) or pushed (by an adapter), never both: a delivery handed
      // out here and sent by the adapter too would reach the customer twice.
      if (ctx.pushedChannels?.().includes(args.channel)) {
        throw badInput(`contentDue: ${args.channel} deliveries are sent by this gateway's ${args.channel} adapter; contentDue serves channels without one`);
      }
      const customers = await ctx.db.prisma.customer.findMany({ where: { workspaceId, ...customerScope(ctx), ...identity }, select: { id: true } });
      const ranges = await customerKeyRanges(ctx.db.sql, workspaceId, customers.map((c) => c.id));
      return dueDeliveries(ctx.db.sql, workspaceId, ranges, { channel: args.channel, now: ctx.now, limit: Math.min(Math.max(args.limit ?? 10, 1), 100) });
    },
  }),
}));
