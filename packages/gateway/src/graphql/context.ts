import DataLoader from "dataloader";
import type { Journey as CompiledJourney, JourneyDefinition } from "@sopline/core";
import type { Auth, Authenticator } from "../auth/index.js";
import { InvalidTokenError } from "../auth/index.js";
import type { Clock } from "../clock.js";
import type { Content, Database, Delivery, Journey as JourneyRow, Staff } from "../db/index.js";
import { deliveriesPerEnrollment } from "../delivery/read-by-range.js";
import type { DeliveryKeyRange } from "../engine/delivery-key-range.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import type { LivePubSub } from "../live/pubsub.js";
import type { GatewayMetrics } from "../ops/metrics.js";
import type { MessageTracker } from "../tracking/message-render.js";
import { forbidden, unauthenticated } from "./errors.js";

/** What every request shares: one per gateway. */
export interface GatewayServices {
  db: Database;
  registry: JourneyRegistry;
  pubsub: LivePubSub;
  clock: Clock;
  authenticator: Authenticator;
  /** Channels this gateway delivers itself (a push adapter is registered): contentDue refuses them. */
  pushedChannels?: () => readonly string[];
  /** The gateway delivers to WeCom customers (a corp is configured): upsertJourney checks delivery paths. */
  wecomDelivery?: () => boolean;
  /** Prometheus counters of the gateway (absent in tests that build services by hand). */
  metrics?: Pick<GatewayMetrics, "eventsIngested">;
  /** Tracked links (absent when the gateway does not track links): chat tasks' toolbar messages use it. */
  messageTracker?: Pick<MessageTracker, "renderDelivery">;
}

/** Per-request batch loaders, scoped to the caller's workspace (created lazily). */
export interface Loaders {
  staff: DataLoader<string, Staff | null>;
  content: DataLoader<string, Content | null>;
  /** A stored journey version and its compiled engine — the key is `${key}@${version}`. */
  journey: DataLoader<string, { row: JourneyRow; compiled: CompiledJourney } | null>;
  /** An enrollment's deliveries, newest first (at most PAST_STEPS_MAX), by its key range. */
  pastSteps: DataLoader<DeliveryKeyRange, Delivery[], string>;
  /** A customer's latest stored event time (by customer id). */
  lastEventAt: DataLoader<string, Date | null>;
}

/** The most past steps one enrollment shows. */
export const PAST_STEPS_MAX = 500;

export interface Context extends GatewayServices {
  /** null when the request carried no credentials. */
  auth: Auth | null;
  /** Set when credentials were sent but are wrong or expired. */
  authError: InvalidTokenError | null;
  /** The request's "now", read once so every field of one request agrees. */
  now: Date;
  loaders: Loaders;
}

/** A caller that passed authentication. */
export type Authed = Context & { auth: Auth };

export function requireAuth(ctx: Context): Auth {
  if (ctx.authError) throw unauthenticated(ctx.authError.message);
  if (!ctx.auth) throw unauthenticated();
  return ctx.auth;
}

/** Workspace-wide operations (upsert journeys, tokens, settings) need an API key. */
export function requireApiKey(ctx: Context): Auth & { kind: "apiKey" } {
  const auth = requireAuth(ctx);
  if (auth.kind !== "apiKey") throw forbidden("this operation needs a workspace API key; staff tokens cannot use it");
  return auth;
}

/**
 * The staff member whose data is asked for: a staff token's own id (asking for another one is
 * FORBIDDEN), or for an API key the `staffId` argument (required when `required`).
 */
export function staffScope(ctx: Context, staffId: string | null | undefined, required: true): string;
export function staffScope(ctx: Context, staffId: string | null | undefined, required?: false): string | undefined;
export function staffScope(ctx: Context, staffId: string | null | undefined, required = false): string | undefined {
  const auth = requireAuth(ctx);
  if (auth.kind === "staff") {
    if (staffId && staffId !== auth.staffId) throw forbidden("a staff token can only see its own staff member's data");
    return auth.staffId;
  }
  if (!staffId && required) throw forbidden("with an API key, pass staffId to say whose data you want");
  return staffId ?? undefined;
}

export async function createContext(services: GatewayServices, authorization: string | null | undefined): Promise<Context> {
  let auth: Auth | null = null;
  let authError: InvalidTokenError | null = null;
  try {
    auth = await services.authenticator.authenticate(authorization);
  } catch (err) {
    if (!(err instanceof InvalidTokenError)) throw err;
    authError = err;
  }
  const ctx = { ...services, auth, authError, now: services.clock() } as Context;
  ctx.loaders = createLoaders(ctx);
  return ctx;
}

function createLoaders(ctx: Context): Loaders {
  const workspaceId = () => requireAuth(ctx).workspaceId;
  return {
    staff: new DataLoader(async (ids) => {
      const rows = await ctx.db.prisma.staff.findMany({ where: { workspaceId: workspaceId(), id: { in: [...ids] } } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    content: new DataLoader(async (refs) => {
      const rows = await ctx.db.prisma.content.findMany({ where: { workspaceId: workspaceId(), ref: { in: [...refs] } } });
      const byRef = new Map(rows.map((r) => [r.ref, r]));
      return refs.map((ref) => byRef.get(ref) ?? null);
    }),
    journey: new DataLoader(async (keys) => {
      const ws = workspaceId();
      const wanted = keys.map((k) => {
        const at = k.lastIndexOf("@");
        return { key: k.slice(0, at), version: Number(k.slice(at + 1)) };
      });
      const rows = await ctx.db.prisma.journey.findMany({ where: { workspaceId: ws, OR: wanted } });
      // upcoming holiday steps follow the workspace's current calendar
      await ctx.registry.refreshCalendars(ctx.db.sql, [ws]);
      const byKey = new Map(rows.map((r) => [`${r.key}@${r.version}`, r]));
      return keys.map((k) => {
        const row = byKey.get(k);
        return row ? { row, compiled: ctx.registry.remember(ws, row.definition as unknown as JourneyDefinition) } : null;
      });
    }),
    // One primary-key range per enrollment, each cut at PAST_STEPS_MAX in the database.
    pastSteps: new DataLoader(
      async (ranges) => {
        const byEnrollment = await deliveriesPerEnrollment(ctx.db.sql, workspaceId(), ranges, PAST_STEPS_MAX);
        return ranges.map((r) => byEnrollment.get(r.enrollmentId) ?? []);
      },
      { cacheKeyFn: (r) => r.enrollmentId },
    ),
    // Derived from the events (index on customer, time) rather than stamped on the customer by every
    // ingested event: that update cost the ingest path a third of its throughput.
    lastEventAt: new DataLoader(async (ids) => {
      const rows = await ctx.db.prisma.event.groupBy({ by: ["customerId"], where: { workspaceId: workspaceId(), customerId: { in: [...ids] } }, _max: { at: true } });
      const byId = new Map(rows.map((r) => [r.customerId, r._max.at]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
