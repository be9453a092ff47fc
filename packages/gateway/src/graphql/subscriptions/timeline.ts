import type { Effect } from "@sopline/core";
import { filter, pipe } from "graphql-yoga";
import { timelineTopic, type TimelinePayload } from "../../live/pubsub.js";
import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { assertCustomerVisible } from "../services/visibility.js";
import { type TimelineUpdateShape, TimelineUpdateType } from "../types/timeline.js";
import { resolveLive, untilTokenExpires } from "./token-expiry.js";

builder.subscriptionFields((t) => ({
  customerTimeline: t.field({
    type: TimelineUpdateType,
    description: "What happens in a customer's journeys as it happens (steps due, stage changes, tags). A staff token: only their own customers, checked on every update.",
    args: { customerId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const customerId = String(args.customerId);
      await assertCustomerVisible(ctx, customerId);
      const stream = pipe(
        ctx.pubsub.subscribe(timelineTopic(auth.workspaceId, customerId)),
        filter(async (p): Promise<boolean> => {
          if (!("effects" in p) || p.customerId !== customerId) return false;
          if (auth.kind !== "staff") return true;
          // another member's enrollment of this customer (enrollmentScope hides it in queries too)
          if (p.staffId && p.staffId !== auth.staffId) return false;
          // handed over since subscribing: the staff member no longer sees this customer
          const [row] = await ctx.db.sql.query(`SELECT 1 FROM customers WHERE id = $1 AND workspace_id = $2 AND staff_id = $3`, [customerId, auth.workspaceId, auth.staffId]);
          return row !== undefined;
        }),
      );
      return untilTokenExpires(ctx, stream);
    },
    resolve: resolveLive((payload: unknown) => {
      const p = payload as TimelinePayload;
      return { customerId: p.customerId, effects: p.effects as Effect[] } satisfies TimelineUpdateShape;
    }),
  }),
}));
