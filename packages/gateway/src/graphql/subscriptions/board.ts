import { filter, pipe } from "graphql-yoga";
import { boardTopic, type BoardPayload } from "../../live/pubsub.js";
import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { loadBoard } from "../services/board.js";
import { BoardType } from "../types/board.js";
import { resolveLive, untilTokenExpires } from "./token-expiry.js";

const BoardChangedType = builder.objectRef<BoardPayload>("BoardChanged").implement({
  description: "The board's counts changed (a stage change, a task done…). Select `board` to get it recomputed.",
  fields: (t) => ({
    board: t.field({
      type: BoardType,
      args: { journeyKey: t.arg.string() },
      resolve: async (_p, args, ctx) => {
        const auth = requireAuth(ctx);
        return loadBoard(ctx.db, { workspaceId: auth.workspaceId, journeyKey: args.journeyKey, staffId: auth.staffId, now: ctx.clock() });
      },
    }),
  }),
});

builder.subscriptionFields((t) => ({
  boardChanged: t.field({
    type: BoardChangedType,
    description: "Fires when the workspace's board changes (a staff token's board counts only their customers and tasks).",
    subscribe: (_root, _args, ctx) => {
      const auth = requireAuth(ctx);
      return untilTokenExpires(
        ctx,
        pipe(
          ctx.pubsub.subscribe(boardTopic(auth.workspaceId)),
          filter((p): p is BoardPayload => "workspaceId" in p && p.workspaceId === auth.workspaceId),
        ),
      );
    },
    resolve: resolveLive((payload: BoardPayload) => payload),
  }),
}));
