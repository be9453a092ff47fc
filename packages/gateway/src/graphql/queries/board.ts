import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { loadBoard } from "../services/board.js";
import { BoardType } from "../types/board.js";

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
}));
