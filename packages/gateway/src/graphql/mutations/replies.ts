import { emptyNotices } from "../../engine/persist-advances.js";
import { ingestEvents } from "../../events/ingest.js";
import { publishNotices } from "../../live/publish-notices.js";
import { MESSAGE_REPLIED, REPLY_SOURCES } from "../../replies/names.js";
import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { badInput, notFound } from "../errors.js";
import { customerScope } from "../services/visibility.js";

// A staff member's "customer replied" tap in the chat toolbar: without 会话存档 sopline cannot read
// 1:1 chats, so the person who saw the reply says so (WECHAT.md "Knowing that a customer replied").

const ReplyRecorded = builder.objectRef<{ eventId: string; customerId: string; recorded: boolean; duplicate: boolean }>("ReplyRecorded").implement({
  fields: (t) => ({
    eventId: t.exposeID("eventId", { description: "the stored event's id (pass it as `id` to retry safely)" }),
    customerId: t.exposeID("customerId"),
    recorded: t.exposeBoolean("recorded", { description: "true when this call stored the event" }),
    duplicate: t.exposeBoolean("duplicate", { description: "true when an event with this id was already stored (a retried tap)" }),
  }),
});

builder.mutationFields((t) => ({
  reportCustomerReplied: t.field({
    type: ReplyRecorded,
    description:
      'A staff member taps "customer replied" in the chat toolbar: records message.replied with data.source "staff_tap" (and staffId) for the customer, applied to their journeys like any event (unless conditions, transitions, opt-out keywords do not apply: no text). A staff token: only its own customers. `at` defaults to now; `id` makes a retried tap count once (default: one per staff member, customer and minute).',
    extensions: { access: "any", limits: { strings: { id: 200 } } },
    args: {
      customerId: t.arg.id({ required: true }),
      at: t.arg({ type: "DateTime", description: "when the customer replied (default now; not more than 5 minutes ahead)" }),
      id: t.arg.string({ description: "an id of your own for this tap, so a retry after a lost answer counts once" }),
    },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const customerId = String(args.customerId);
      const customer = await ctx.db.prisma.customer.findFirst({ where: { ...customerScope(ctx), id: customerId }, select: { id: true, externalId: true } });
      if (!customer) throw notFound("customer", customerId);
      const at = args.at ?? ctx.now;
      const by = auth.kind === "staff" ? auth.staffId : "api";
      const eventId = args.id ? `staff_tap:${args.id}` : `staff_tap:${by}:${customer.id}:${Math.floor(at.getTime() / 60_000)}`;
      const data = { source: REPLY_SOURCES.staffTap, channel: "private_chat", ...(auth.kind === "staff" ? { staffId: auth.staffId } : {}) };
      const notices = emptyNotices();
      const result = await ingestEvents(ctx.db, ctx.registry, auth.workspaceId, [{ id: eventId, customer: customer.externalId, name: MESSAGE_REPLIED, at, data }], ctx.now, notices, auth.kind === "staff" ? { staffId: auth.staffId } : {});
      const rejected = result.rejected[0];
      // The only rejections left here are about `at` or `id` (the customer was found above).
      if (rejected) throw badInput(rejected.message.replace(/^events\[0\]\./, ""));
      publishNotices(ctx.pubsub, notices);
      ctx.metrics?.eventsIngested(result);
      return { eventId, customerId: customer.id, recorded: result.accepted > 0, duplicate: result.duplicates > 0 };
    },
  }),
}));
