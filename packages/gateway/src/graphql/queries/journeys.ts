import type { JourneyDefinition } from "@sopline/core";
import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { notFound } from "../errors.js";
import { contentLibrary, journeyPublishImpact } from "../services/journeys.js";
import { JourneyType, LintIssueType } from "../types/journey.js";
import { marketingCapOf } from "../../engine/marketing-cap.js";
import { JourneyPublishImpactType } from "../types/publish-impact.js";

builder.queryFields((t) => ({
  journeys: t.prismaField({
    type: [JourneyType],
    description: "The newest version of every journey.",
    args: { includeInactive: t.arg.boolean({ defaultValue: false }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.prisma.journey.findMany({
        ...query,
        where: { workspaceId: requireAuth(ctx).workspaceId, ...(args.includeInactive ? {} : { active: true }) },
        distinct: ["key"],
        orderBy: [{ key: "asc" }, { version: "desc" }],
      }),
  }),
  journey: t.prismaField({
    type: JourneyType,
    description: "A journey by key: the newest version, or the given one.",
    args: { key: t.arg.string({ required: true }), version: t.arg.int() },
    resolve: async (query, _root, args, ctx) => {
      const row = await ctx.db.prisma.journey.findFirst({
        ...query,
        where: { workspaceId: requireAuth(ctx).workspaceId, key: args.key, ...(args.version != null ? { version: args.version } : {}) },
        orderBy: { version: "desc" },
      });
      if (!row) throw notFound("journey", args.version != null ? `${args.key}@${args.version}` : args.key);
      return row;
    },
  }),
  journeyPublishImpact: t.field({
    type: JourneyPublishImpactType,
    description:
      "A dry run of upsertJourney(definition, migrate: true): the version it would store and what moving the customers in flight would do to them (by stage, new steps, steps skipped as migrated). Nothing is stored.",
    args: { definition: t.arg({ type: "JSON", required: true }) },
    extensions: { access: "apiKey", limits: { argsBytes: 1024 * 1024, lists: { definition: 5_000 } } },
    resolve: (_root, args, ctx) => journeyPublishImpact(ctx.db, ctx.registry, {
        workspaceId: requireAuth(ctx).workspaceId,
        definition: args.definition,
        now: ctx.now,
        delivery: { wecom: ctx.wecomDelivery?.() ?? false, pushedChannels: ctx.pushedChannels?.() },
      }),
  }),
  journeyLint: t.field({
    type: [LintIssueType],
    description: "The core's lint of the newest version against the workspace's content library (missing and expired content, daily sends, few touches, …).",
    args: { key: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const row = await ctx.db.prisma.journey.findFirst({ where: { workspaceId: auth.workspaceId, key: args.key }, orderBy: { version: "desc" } });
      if (!row) throw notFound("journey", args.key);
      const journey = ctx.registry.remember(auth.workspaceId, row.definition as unknown as JourneyDefinition);
      return journey.lint(await contentLibrary(ctx.db, auth.workspaceId), { at: ctx.now, ...(await marketingCapOf(ctx.db.sql, auth.workspaceId)) });
    },
  }),
}));
