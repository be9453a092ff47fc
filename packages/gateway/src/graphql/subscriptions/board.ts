import { type BoardCoalescer, createBoardCoalescer } from "../../live/board-coalescer.js";
import type { LivePubSub } from "../../live/pubsub.js";
import { builder } from "../builder.js";
import { type Context, requireAuth } from "../context.js";
import { type BoardSnapshot, loadBoardSnapshot, viewBoard } from "../services/board.js";
import { BoardType } from "../types/board.js";
import { resolveLive, untilTokenExpires } from "./token-expiry.js";

type BoardChangedPayload = { snapshot: BoardSnapshot };

// One coalescer per gateway (its pubsub): every console watching a workspace shares one recompute a second.
const coalescers = new WeakMap<LivePubSub, BoardCoalescer<BoardSnapshot>>();
function boardsOf(ctx: Context): BoardCoalescer<BoardSnapshot> {
  let c = coalescers.get(ctx.pubsub);
  if (!c) {
    const { db, clock, pubsub } = ctx;
    coalescers.set(pubsub, (c = createBoardCoalescer({ pubsub, load: (workspaceId) => loadBoardSnapshot(db, { workspaceId, now: clock() }) })));
  }
  return c;
}

const BoardChangedType = builder.objectRef<BoardChangedPayload>("BoardChanged").implement({
  description: "The board changed (a stage change, a task done, a customer showing intent…); at most one a second.",
  fields: (t) => ({
    board: t.field({
      type: BoardType,
      args: { journeyKey: t.arg.string() },
      // Cut from the workspace's one recomputed snapshot: no database read per watcher.
      resolve: (payload, args, ctx) => viewBoard(payload.snapshot, { journeyKey: args.journeyKey, staffId: requireAuth(ctx).staffId }),
    }),
  }),
});

builder.subscriptionFields((t) => ({
  boardChanged: t.field({
    type: BoardChangedType,
    description:
      "Fires when the workspace's board changes, at most once a second (changes in between are folded into one); a staff token's board counts only their customers, tasks and opportunities.",
    subscribe: (_root, _args, ctx) => {
      const auth = requireAuth(ctx);
      const boards = boardsOf(ctx).watch(auth.workspaceId);
      const source: AsyncIterableIterator<BoardChangedPayload> = {
        next: async () => {
          const r = await boards.next();
          return r.done ? { value: undefined, done: true } : { value: { snapshot: r.value }, done: false };
        },
        return: async () => {
          await boards.return?.();
          return { value: undefined, done: true };
        },
        [Symbol.asyncIterator]() {
          return source;
        },
      };
      return untilTokenExpires(ctx, source);
    },
    resolve: resolveLive((payload: BoardChangedPayload) => payload),
  }),
}));
