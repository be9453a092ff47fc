import { emptyNotices } from "../../engine/persist-advances.js";
import type { EventInput } from "../../events/event-input.js";
import { ingestEvents } from "../../events/ingest.js";
import { publishNotices } from "../../live/publish-notices.js";
import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { MAX_EVENTS_PER_BATCH } from "../limits.js";
import { EventInputType, IngestResultType } from "../types/ingest.js";

builder.mutationFields((t) => ({
  ingestEvents: t.field({
    type: IngestResultType,
    description: `Records a batch of behaviour events (at most ${MAX_EVENTS_PER_BATCH}) and applies them to the customers' journeys. Retried ids count once; bad events are rejected one by one and the rest kept. A staff token may send events for its own customers only (others are UNKNOWN_CUSTOMER) and never creates customers.`,
    extensions: { access: "any", limits: { lists: { events: MAX_EVENTS_PER_BATCH }, argsBytes: 8 * 1024 * 1024, checkedPerItem: ["events"] } },
    args: { events: t.arg({ type: [EventInputType], required: true }) },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const events: EventInput[] = args.events.map((e) => ({
        id: e.id,
        customer: e.customer,
        customerIdKind: e.customerIdKind ?? "external",
        name: e.name,
        at: e.at,
        ...(e.data !== undefined && e.data !== null ? { data: e.data } : {}),
        ...(e.profile ? { profile: stripNulls(e.profile) as EventInput["profile"] } : {}),
      }));
      const notices = emptyNotices();
      const result = await ingestEvents(ctx.db, ctx.registry, auth.workspaceId, events, ctx.now, notices, auth.kind === "staff" ? { staffId: auth.staffId } : {});
      publishNotices(ctx.pubsub, notices);
      ctx.metrics?.eventsIngested(result);
      return result;
    },
  }),
}));

function stripNulls(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}
