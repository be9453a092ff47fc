import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { StaffType } from "../types/staff.js";
import { SegmentRuleType } from "../types/segment-rule.js";
import { ViewerType } from "../types/workspace.js";

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerType,
    description: "Who is calling: the workspace, and the staff member for a staff token.",
    resolve: (_root, _args, ctx) => {
      const auth = requireAuth(ctx);
      return { kind: auth.kind, workspaceId: auth.workspaceId, staffId: auth.staffId ?? null };
    },
  }),
  staff: t.prismaField({
    type: [StaffType],
    description: "The workspace's staff members (a staff token sees only itself).",
    args: { includeInactive: t.arg.boolean({ defaultValue: false }) },
    resolve: (query, _root, args, ctx) => {
      const auth = requireAuth(ctx);
      return ctx.db.prisma.staff.findMany({
        ...query,
        where: { workspaceId: auth.workspaceId, ...(auth.kind === "staff" ? { id: auth.staffId } : {}), ...(args.includeInactive ? {} : { active: true }) },
        orderBy: [{ name: "asc" }, { id: "asc" }],
      });
    },
  }),
  segmentRules: t.prismaField({
    type: [SegmentRuleType],
    extensions: { access: "apiKey" },
    resolve: (query, _root, _args, ctx) =>
      ctx.db.prisma.segmentRule.findMany({ ...query, where: { workspaceId: requireAuth(ctx).workspaceId }, orderBy: [{ priority: "asc" }, { name: "asc" }] }),
  }),
}));
