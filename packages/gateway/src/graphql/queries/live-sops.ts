import { readAudit } from "../../live-sops/audit.js";
import { doNotDisturbOf } from "../../live-sops/dnd.js";
import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { badInput } from "../errors.js";
import { assertCustomerVisible } from "../services/visibility.js";
import { AuditEntryType, AuditFilterInput, DoNotDisturbEntryType, JourneyPauseType } from "../types/live-sops.js";

builder.queryFields((t) => ({
  auditLog: t.field({
    type: [AuditEntryType],
    description: "Operators' changes, newest first: journey publishes, pauses and resumes, removals, bulk operations, do-not-disturb, settings. Page with before: the last entry's id.",
    extensions: { access: "apiKey" },
    args: {
      filter: t.arg({ type: AuditFilterInput }),
      first: t.arg.int({ defaultValue: 50, description: "at most 500" }),
      before: t.arg.id({ description: "entries older than this id" }),
    },
    resolve: (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const before = args.before == null ? null : String(args.before);
      if (before !== null && !/^\d{1,18}$/.test(before)) throw badInput(`before: expected an audit entry id (digits), got ${JSON.stringify(before)}`);
      const f = args.filter ?? {};
      return readAudit(ctx.db.sql, auth.workspaceId, {
        action: f.action ?? null,
        actorKind: f.actorKind ?? null,
        actorId: f.actorId ?? null,
        target: f.target ?? null,
        since: f.since ?? null,
        until: f.until ?? null,
        before,
        limit: args.first ?? 50,
      });
    },
  }),
  journeyPauses: t.field({
    type: [JourneyPauseType],
    description: "Journeys and steps paused now.",
    resolve: async (_root, _args, ctx) => {
      const rows = await ctx.db.prisma.journeyPause.findMany({ where: { workspaceId: requireAuth(ctx).workspaceId }, orderBy: [{ journeyKey: "asc" }, { stepId: "asc" }] });
      return rows;
    },
  }),
  doNotDisturb: t.field({
    type: [DoNotDisturbEntryType],
    description: "A customer's do-not-disturb channels.",
    args: { customerId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const customerId = String(args.customerId);
      await assertCustomerVisible(ctx, customerId);
      return (await doNotDisturbOf(ctx.db.sql, [customerId])).get(customerId) ?? [];
    },
  }),
}));
