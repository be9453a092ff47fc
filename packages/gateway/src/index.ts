/**
 * @sopline/gateway — the GraphQL gateway: persistence (embedded PGlite or PostgreSQL), the
 * exactly-once scheduler, idempotent events, live task feeds, tenants and staff.
 * @example
 * import { createGateway } from "@sopline/gateway";
 * const gateway = await createGateway({ adminKey: process.env.SOPLINE_ADMIN_KEY });
 * const { url } = await gateway.start(4000); // GraphQL + graphql-ws on `${url}`
 */
export { createGateway, type Gateway, type GatewayOptions } from "./server/create-gateway.js";
export type { Tracking, TrackingOptions } from "./tracking/index.js";
export { createGatewayYoga, type GatewayYoga, GRAPHQL_PATH } from "./server/yoga.js";
export { WEBHOOK_PATH } from "./server/webhook.js";
export { DEFAULT_QUERY_LIMITS, type IntrospectionAccess, type QueryLimits } from "./server/security.js";
export { type GatewayHttpHandler, HEALTH_PATH, METRICS_PATH, READY_PATH } from "./server/http-handler.js";
export { type AttachedWebSocket, GOING_AWAY } from "./server/graphql-websocket.js";
export type { Readiness, ReadinessOptions } from "./ops/health.js";
export type { GatewayMetrics } from "./ops/metrics.js";
export type { Logger } from "./ops/logger.js";
export { getSchema } from "./graphql/schema.js";
export type { Context as GraphQLContext, GatewayServices } from "./graphql/context.js";
export * as limits from "./graphql/limits.js";
export {
  type Auth,
  type Authenticator,
  createAuthenticator,
  createWorkspace,
  type CreatedWorkspace,
  ensureDefaultWorkspace,
  generateApiKey,
  hashApiKey,
  signStaffToken,
  verifyStaffToken,
  InvalidTokenError,
} from "./auth/index.js";
export { type Clock, systemClock } from "./clock.js";
export { openDatabase, type Database, type OpenDatabaseOptions } from "./db/index.js";
export { JourneyRegistry } from "./engine/journey-registry.js";
export { createScheduler, type Scheduler, type SchedulerOptions, type RunStats } from "./engine/scheduler.js";
export { createLivePubSub, type LivePubSub, taskTopic, boardTopic, timelineTopic, type TaskPayload } from "./live/pubsub.js";
export type { EventInput, IngestResult, RejectedEvent } from "./events/event-input.js";
export { createChannels, WECOM_CALLBACK_PATH, type ChannelOptions, type ChannelRuntime } from "./server/channels.js";
export * from "./delivery/index.js";
export * from "./wecom-integration/index.js";
export { loadExamples, type LoadedExamples } from "./server/examples.js";
export { CONTACT_ADDED, MESSAGE_REPLIED, REPLY_SOURCES } from "./replies/names.js";
export {
  acquisitionAssistantAdapter,
  chatArchiveAdapter,
  ingestSignals,
  SIGNAL_NAMES,
  SignalAdapterError,
  type SignalAdapter,
  type SignalEvent,
  type SignalName,
} from "./replies/signal-adapter.js";
export { SIGNALS_PATH } from "./server/signals-webhook.js";
