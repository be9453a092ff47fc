import { builder } from "../builder.js";
import { requireAuth, staffScope } from "../context.js";
import { badInput } from "../errors.js";
import { loadBoard } from "../services/board.js";
import { OPPORTUNITIES_MAX, loadOpportunities } from "../services/opportunities.js";
import { assertStaffInWorkspace } from "../services/visibility.js";
import { BoardType, OpportunityKindEnum, OpportunityType } from "../types/board.js";

builder.queryFields((t) => ({
  board: t.field({
    type: BoardType,
    description: "Customers per stage per journey and today's chat / call opportunities per staff member (a staff token: their own).",
    args: { journeyKey: t.arg.string({ description: "only this journey" }) },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const board = await loadBoard(ctx.db, { workspaceId: auth.workspaceId, journeyKey: args.journeyKey, staffId: auth.staffId, now: ctx.now });
      for (const o of board.staff) ctx.loaders.staff.prime(o.staff.id, o.staff);
      return board;
    },
  }),
  opportunities: t.field({
    type: [OpportunityType],
    description:
      "今日聊天机会 / 今日通话机会: customers who showed intent today and have not been answered since, best first (intent, then longest waiting). A staff token: their own customers; an API key: staffId's, or the workspace's without it.",
    args: {
      staffId: t.arg.id(),
      kind: t.arg({ type: OpportunityKindEnum, description: "only chat or only call opportunities" }),
      limit: t.arg.int({ description: `at most this many (default 100, at most ${OPPORTUNITIES_MAX})` }),
    },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const staffId = staffScope(ctx, args.staffId ? String(args.staffId) : null) ?? null;
      if (auth.kind === "apiKey" && staffId) await assertStaffInWorkspace(ctx, staffId);
      const limit = args.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > OPPORTUNITIES_MAX) throw badInput(`limit: expected 1 to ${OPPORTUNITIES_MAX}, got ${limit}`);
      return loadOpportunities(ctx.db, { workspaceId: auth.workspaceId, staffId, kind: args.kind ?? null, now: ctx.now, limit });
    },
  }),
}));
