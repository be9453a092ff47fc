// A customer's engagement with what was sent: tracked-content opens, reads (with dwell seconds) and
// clicks, newest first, so the console's timeline can show them under the steps they came from.
import DataLoader from "dataloader";
import { builder } from "../builder.js";
import { type Context, requireAuth } from "../context.js";
import { badInput } from "../errors.js";
import { CustomerType } from "./customer.js";

/** The events shown: what a tracked link records (see src/tracking). */
export const ENGAGEMENT_EVENTS = ["content.opened", "content.read", "link.clicked"] as const;
/** The most engagement events one customer shows. */
export const ENGAGEMENT_MAX = 200;

export interface EngagementShape {
  id: string;
  name: string;
  at: Date;
  deliveryKey: string | null;
  content: string | null;
  seconds: number | null;
  link: string | null;
}

interface Row {
  customer_id: string;
  event_id: string;
  name: string;
  at: Date | string;
  delivery_key: string | null;
  content: string | null;
  seconds: string | number | null;
  link: string | null;
}

// One loader per request (kept beside the context rather than in it: only this field needs it).
const loaders = new WeakMap<Context, DataLoader<string, EngagementShape[]>>();

function loaderOf(ctx: Context): DataLoader<string, EngagementShape[]> {
  let loader = loaders.get(ctx);
  if (!loader) {
    const workspaceId = requireAuth(ctx).workspaceId;
    loader = new DataLoader(async (ids) => {
      // the newest ENGAGEMENT_MAX per customer, cut in the database (index on customer, time)
      const rows = await ctx.db.sql.query<Row>(
        `SELECT customer_id, event_id, name, at, delivery_key, content, seconds, link FROM (
           SELECT e.customer_id, e.event_id, e.name, e.at, e.data->>'deliveryKey' AS delivery_key, e.data->>'content' AS content,
                  CASE WHEN jsonb_typeof(e.data->'seconds') = 'number' THEN (e.data->>'seconds')::float8 END AS seconds,
                  e.data->>'link' AS link,
                  row_number() OVER (PARTITION BY e.customer_id ORDER BY e.at DESC, e.event_id DESC) AS n
           FROM events e
           WHERE e.workspace_id = $1 AND e.customer_id = ANY($2::text[]) AND e.name = ANY($3::text[])
         ) x WHERE n <= $4 ORDER BY customer_id, at DESC, event_id DESC`,
        [workspaceId, [...ids], [...ENGAGEMENT_EVENTS], ENGAGEMENT_MAX],
      );
      const byCustomer = new Map<string, EngagementShape[]>();
      for (const r of rows) {
        const list = byCustomer.get(r.customer_id) ?? [];
        list.push({
          id: r.event_id,
          name: r.name,
          at: new Date(r.at),
          deliveryKey: r.delivery_key,
          content: r.content,
          seconds: r.seconds === null ? null : Number(r.seconds),
          link: r.link,
        });
        byCustomer.set(r.customer_id, list);
      }
      return ids.map((id) => byCustomer.get(id) ?? []);
    });
    loaders.set(ctx, loader);
  }
  return loader;
}

const EngagementType = builder.objectRef<EngagementShape>("CustomerEngagement").implement({
  description: "A tracked-content event of the customer: content.opened, content.read (with dwell seconds) or link.clicked.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "the event's id" }),
    name: t.exposeString("name", { description: "content.opened | content.read | link.clicked" }),
    at: t.field({ type: "DateTime", resolve: (e) => e.at }),
    deliveryKey: t.exposeString("deliveryKey", { nullable: true, description: "the delivery (past step) whose tracked link it came from: pastSteps' `key`" }),
    content: t.exposeString("content", { nullable: true, description: "content ref" }),
    seconds: t.exposeFloat("seconds", { nullable: true, description: "content.read: dwell time in seconds" }),
    link: t.exposeString("link", { nullable: true, description: "the tracked link's target" }),
  }),
});

builder.objectField(CustomerType, "engagement", (t) =>
  t.field({
    type: [EngagementType],
    description: `Opens, reads and clicks of tracked content, newest first (at most ${ENGAGEMENT_MAX}).`,
    args: { last: t.arg.int({ defaultValue: 50, description: `how many (1–${ENGAGEMENT_MAX})` }) },
    resolve: async (c, args, ctx) => {
      const last = args.last ?? 50;
      if (!Number.isInteger(last) || last < 1 || last > ENGAGEMENT_MAX) throw badInput(`engagement(last:): must be 1–${ENGAGEMENT_MAX}, got ${last}`);
      return (await loaderOf(ctx).load(c.id)).slice(0, last);
    },
  }),
);
