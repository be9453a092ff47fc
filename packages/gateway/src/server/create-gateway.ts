import { timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  type Authenticator,
  InvalidTokenError,
  createAuthenticator,
  createSecretBox,
  ensureDefaultWorkspace,
  hashApiKey,
  resolveSecretKey,
  sealTokenSecrets,
} from "../auth/index.js";
import { type Clock, systemClock } from "../clock.js";
import { createPolling } from "../engine/polling.js";
import { refreshAllMetrics } from "../metrics/index.js";
import { startEmbeddedMaintenance } from "../db/embedded-maintenance.js";
import { type Database, openDatabase } from "../db/index.js";
import { JourneyRegistry } from "../engine/journey-registry.js";
import type { Polling } from "../engine/polling.js";
import { type Scheduler, createScheduler } from "../engine/scheduler.js";
import type { GatewayServices } from "../graphql/context.js";
import { MAX_BODY_BYTES } from "../graphql/limits.js";
import { type LivePubSub, createLivePubSub, revocationTopic } from "../live/pubsub.js";
import { numberTasksOnPublish } from "../live/task-seqs-after-commit.js";
import { type Readiness, type ReadinessOptions, createReadinessCheck } from "../ops/health.js";
import { type Logger, createGatewayLogger, lineLogger } from "../ops/logger.js";
import { type GatewayMetrics, createGatewayMetrics } from "../ops/metrics.js";
import { type Tracking, type TrackingOptions, createTracking } from "../tracking/index.js";
import { type ChannelOptions, type ChannelRuntime, createChannels } from "./channels.js";
import { type AttachedWebSocket, attachGraphqlWebSocket } from "./graphql-websocket.js";
import { type GatewayHttpHandler, createHttpHandler } from "./http-handler.js";
import { type IntrospectionAccess, type QueryLimits, graphiqlEnabled, introspectionAccess } from "./security.js";
import { GRAPHQL_PATH, type GatewayYoga, createGatewayYoga } from "./yoga.js";
import { type SignalAdapter, signalAdapterRegistry } from "../replies/signal-adapter.js";

export interface GatewayOptions extends ChannelOptions {
  /** postgres://… for PostgreSQL; default: embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite directory (default ./data/pglite). */
  dataDir?: string | undefined;
  /** false: apply no migrations on start and fail if any is pending (run `sopline migrate` first). Default true. Ignored with `db`. */
  migrate?: boolean | undefined;
  /** Enables cross-instance subscriptions through Redis. */
  redisUrl?: string | undefined;
  /** API key of the first workspace, created on first start (default: generated and returned). */
  adminKey?: string | undefined;
  /** The only source of time (default: the system clock). Tests pass a mutable one. */
  clock?: Clock | undefined;
  /** Scheduler polling interval once started (default 1,000 ms). */
  schedulerIntervalMs?: number | undefined;
  /** Embedded database only: how often to vacuum and analyze what needs it, as autovacuum would (default 60,000 ms; 0: never). */
  maintenanceIntervalMs?: number | undefined;
  /** How often the metrics rollup job refreshes every workspace's metrics (default 60,000 ms; 0: never — call `metricsRollup.runOnce(now)`). */
  metricsRollupIntervalMs?: number | undefined;
  /** Structured logs: your pino logger, or `false` for none (default: JSON lines on stdout at LOG_LEVEL, default info). */
  logger?: Logger | false | undefined;
  /** Compatibility: each log message as a line of text, instead of JSON on stdout. */
  log?: ((message: string) => void) | undefined;
  /** An already opened database (tests): the gateway then does not close it on stop(). */
  db?: Database | undefined;
  /** Query depth / cost / alias limits. */
  queryLimits?: Partial<QueryLimits> | undefined;
  /**
   * Seals the staff-token secrets stored in the database: 32 random bytes as base64 or hex
   * (default: env SOPLINE_SECRET_KEY; embedded PGlite: a key file `<dataDir>.key` made on first
   * start; required for PostgreSQL, the same on every gateway).
   */
  secretKey?: string | undefined;
  /** Serve GraphiQL on GET /graphql (default: env SOPLINE_GRAPHIQL, else on unless NODE_ENV=production). */
  graphiql?: boolean | undefined;
  /**
   * Who may introspect the schema: "authenticated" (any API key or staff token), "public", "off"
   * (`true` = "authenticated", `false` = "off"). Default: env SOPLINE_INTROSPECTION, else
   * "off" under NODE_ENV=production and "authenticated" otherwise.
   */
  introspection?: IntrospectionAccess | boolean | undefined;
  /** How long stop() lets requests in flight finish before cutting them (default 10,000 ms). */
  shutdownTimeoutMs?: number | undefined;
  /** A bearer token that may read /metrics besides the admin API key (default: env SOPLINE_METRICS_TOKEN). */
  metricsToken?: string | undefined;
  /** Reply signals from the chat archive (会话存档) or 获客助手, served on POST /webhooks/signals/<name> (README "Replies and deletions"). */
  signalAdapters?: SignalAdapter[] | undefined;
  /** /readyz: bound on each database check, and the scheduler lag above which the gateway is not ready. */
  readiness?: Omit<ReadinessOptions, "migrationsDir"> | undefined;
  /**
   * Tracked content: links in content bodies go out as signed short links under `<publicUrl>/t/`
   * (default: on when env SOPLINE_PUBLIC_URL is set; `false`: off). See README "Tracked content".
   */
  tracking?: TrackingOptions | false | undefined;
}

export interface Gateway {
  /** The yoga app: `yoga.fetch(...)` in tests (no body limit for chunked bodies, no health or metrics routes: use `handler`). */
  yoga: GatewayYoga;
  /**
   * The Node (req, res) handler of everything the gateway serves over HTTP: /graphql, the webhooks,
   * /healthz, /readyz, /metrics, with request ids and the body limit. Mount it on your own server.
   */
  handler: GatewayHttpHandler;
  /** graphql-ws on your own HTTP server, at `path` (default /graphql); other upgrade paths are left alone. */
  attachWebSocket(server: http.Server, path?: string): AttachedWebSocket;
  /** Starts the scheduler, the channel workers and (embedded database) maintenance. start() does it too. */
  startWorkers(): void;
  /** The /readyz answer. */
  readiness(): Promise<Readiness>;
  /** Prometheus registry and hooks of this gateway (served on /metrics). */
  metrics: GatewayMetrics;
  logger: Logger;
  db: Database;
  registry: JourneyRegistry;
  pubsub: LivePubSub;
  scheduler: Scheduler;
  /** The metrics rollup job (src/metrics): `runOnce(now)` refreshes every workspace's rollups up to `now`. */
  metricsRollup: { runOnce(now: Date): Promise<void> };
  authenticator: Authenticator;
  /** The first workspace (created on first start). */
  workspaceId: string;
  /** Channel delivery: the delivery worker, the 群发助手 worker and the WeCom callback handler. */
  channels: ChannelRuntime;
  /** Tracked links (/t/), when configured. */
  tracking?: Tracking | undefined;
  /** The first workspace's API key when this start created it (print it: it is not stored). */
  adminKey?: string | undefined;
  /** True when adminKey was generated rather than given. */
  adminKeyGenerated: boolean;
  /**
   * Listens (HTTP + graphql-ws on one port, path /graphql) and starts the workers. Port 0 picks a
   * free one. `adminKey` is the generated key of the first workspace when this start created it.
   */
  start(port?: number, host?: string): Promise<{ port: number; url: string; adminKey?: string }>;
  /**
   * Graceful: refuses new requests (503 + Retry-After), lets those in flight finish (at most
   * `shutdownTimeoutMs`), lets the scheduler commit its current batch, closes subscriptions with
   * 1001 (going away), then Redis and the database (unless it was given). Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Builds a gateway: database (migrated), first workspace, journey registry, pub/sub, scheduler and
 * the GraphQL server. Nothing listens until start().
 * @example
 * const gateway = await createGateway({ adminKey: process.env.SOPLINE_ADMIN_KEY });
 * const { url } = await gateway.start(4000);
 */
export async function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const logger = createGatewayLogger({ logger: options.logger, log: options.log });
  const log = lineLogger(logger, "gateway");
  // Settings are checked before anything is opened: a typo in an env variable fails at once.
  const graphiql = graphiqlEnabled(options.graphiql, process.env);
  const introspection = introspectionAccess(options.introspection, process.env);
  const signalAdapters = signalAdapterRegistry(options.signalAdapters ?? []);
  const clock = options.clock ?? systemClock;
  const ownsDb = !options.db;
  const db = options.db ?? (await openDatabase({ url: options.databaseUrl, dataDir: options.dataDir, migrate: options.migrate, log: lineLogger(logger, "database") }));
  let boot: Awaited<ReturnType<typeof ensureDefaultWorkspace>>;
  let secrets: ReturnType<typeof createSecretBox>;
  let secretKey: ReturnType<typeof resolveSecretKey>;
  try {
    secretKey = resolveSecretKey({ secretKey: options.secretKey, db });
    if (secretKey.file) log?.(`secret key: ${secretKey.file}`);
    secrets = createSecretBox(secretKey.key);
    boot = await ensureDefaultWorkspace(db, options.adminKey);
    const { sealed } = await sealTokenSecrets(db, secrets, secretKey.file ? `key file ${secretKey.file}` : secretKey.source);
    if (sealed > 0) log?.(`sealed ${sealed} staff-token secret(s) stored in plaintext before`);
    if (options.adminKey && !boot.created) {
      const [known] = await db.sql.query(`SELECT 1 FROM workspaces WHERE api_key_hash = $1`, [hashApiKey(options.adminKey)]);
      if (!known) log("warning: the admin key matches no workspace (it only sets the key of the first workspace, on first start)");
    }
  } catch (err) {
    if (ownsDb) await db.close();
    throw err;
  }
  const registry = new JourneyRegistry();
  const live = createLivePubSub(options.redisUrl, { log: lineLogger(logger, "live", "warn") });
  const pubsub = numberTasksOnPublish(live.pubsub, db.sql, lineLogger(logger, "live", "warn"));
  const metrics = createGatewayMetrics({ db, clock, redisStatus: () => live.status() });
  const innerScheduler = createScheduler({
    db,
    registry,
    pubsub,
    clock,
    intervalMs: options.schedulerIntervalMs,
    log: lineLogger(logger, "scheduler", "error"),
    onBatch: metrics.schedulerBatch,
  });
  let schedulerRunning = false;
  const scheduler: Scheduler = {
    runOnce: innerScheduler.runOnce,
    start() {
      schedulerRunning = true;
      innerScheduler.start();
    },
    async stop() {
      schedulerRunning = false;
      await innerScheduler.stop();
    },
  };
  const authenticator = createAuthenticator(db, clock, {
    secrets,
    // Live subscriptions of revoked tokens end at once, on every gateway sharing the pub/sub.
    onRevoked: (r) => pubsub.publish(revocationTopic(r.workspaceId, r.staffId), r),
  });
  // Read per request: adapters can be registered after the gateway is built.
  const services: GatewayServices = { db, registry, pubsub, clock, authenticator, metrics, pushedChannels: () => channels.adapters.channels(), wecomDelivery: () => channels.massSendWorker !== undefined };
  const trackingOptions = options.tracking === false ? undefined : (options.tracking ?? (process.env.SOPLINE_PUBLIC_URL ? { publicUrl: process.env.SOPLINE_PUBLIC_URL } : undefined));
  const tracking = trackingOptions
    ? createTracking(
        { db, registry, pubsub, clock, secretKey: secretKey.key, officialAccount: options.officialAccount, fetch: options.fetch, log: lineLogger(logger, "tracking", "warn") },
        trackingOptions,
      )
    : undefined;
  // Chat tasks' toolbar messages carry tracked links too.
  if (tracking) services.messageTracker = tracking.messages;
  const channels = createChannels(
    {
      db, registry, pubsub, clock, workspaceId: boot.workspaceId, log: lineLogger(logger, "channels", "warn"), onDeliveriesRecorded: metrics.deliveriesRecorded,
      ...(tracking ? { renderDeliveries: tracking.tracker.render, messageTracker: tracking.messages } : {}),
    },
    options,
  );
  const yoga = createGatewayYoga(services, { queryLimits: options.queryLimits, logger, graphiql, introspection, plugins: [channels.plugin], signalAdapters });

  let stopping: Promise<void> | undefined;
  const readiness = createReadinessCheck(
    { db, clock, schedulerRunning: () => schedulerRunning, redisStatus: () => live.status(), stopping: () => stopping !== undefined },
    options.readiness,
  );
  const metricsToken = options.metricsToken ?? process.env.SOPLINE_METRICS_TOKEN;
  async function canReadMetrics(authorization: string | null): Promise<boolean> {
    if (!authorization) return false;
    if (metricsToken && sameText(authorization, `Bearer ${metricsToken}`)) return true;
    try {
      const auth = await authenticator.authenticate(authorization);
      return auth?.kind === "apiKey" && auth.workspaceId === boot.workspaceId;
    } catch (err) {
      if (err instanceof InvalidTokenError) return false;
      throw err;
    }
  }
  const handler = createHttpHandler({ yoga, logger, readiness, metrics, canReadMetrics, maxBodyBytes: MAX_BODY_BYTES, tracking: tracking?.handler });

  let server: http.Server | undefined;
  const sockets = new Set<AttachedWebSocket>();
  let maintenance: Polling | undefined;
  let metricsPolling: Polling | undefined;
  const metricsRollup = { runOnce: (now: Date) => refreshAllMetrics(db.sql, now) };
  let workersStarted = false;

  function attachWebSocket(target: http.Server, path = GRAPHQL_PATH): AttachedWebSocket {
    const attached = attachGraphqlWebSocket(target, path, { yoga, authenticator, maxPayload: MAX_BODY_BYTES, refuse: () => stopping !== undefined });
    sockets.add(attached);
    return attached;
  }

  function startWorkers(): void {
    if (workersStarted || stopping) return;
    workersStarted = true;
    scheduler.start();
    channels.start();
    tracking?.start();
    // PostgreSQL's autovacuum does this on a server; PGlite has no background workers.
    const maintenanceMs = options.maintenanceIntervalMs ?? 60_000;
    if (db.kind === "pglite" && maintenanceMs > 0) maintenance = startEmbeddedMaintenance(db.sql, { intervalMs: maintenanceMs, log: lineLogger(logger, "maintenance") });
    const metricsMs = options.metricsRollupIntervalMs ?? 60_000;
    if (metricsMs > 0) {
      metricsPolling = createPolling("metrics rollup", () => metricsRollup.runOnce(clock()), metricsMs, lineLogger(logger, "metrics", "warn"), { firstRunAfterInterval: true });
      metricsPolling.start();
    }
  }

  async function start(port = 4000, host?: string): Promise<{ port: number; url: string; adminKey?: string }> {
    if (server) throw new Error("gateway already started");
    if (stopping) throw new Error("gateway stopped");
    const httpServer = http.createServer(handler);
    server = httpServer;
    attachWebSocket(httpServer);
    await new Promise<void>((resolve, reject) => {
      httpServer.once("error", reject);
      httpServer.listen(port, host, () => {
        httpServer.off("error", reject);
        resolve();
      });
    });
    startWorkers();
    const address = httpServer.address() as AddressInfo;
    const shownHost = host && host !== "0.0.0.0" && host !== "::" ? host : "localhost";
    const url = `http://${shownHost}:${address.port}${GRAPHQL_PATH}`;
    logger.info({ port: address.port, url }, "gateway listening");
    return { port: address.port, url, ...(boot.generated && boot.apiKey ? { adminKey: boot.apiKey } : {}) };
  }

  async function stop(): Promise<void> {
    return (stopping ??= (async () => {
      logger.info("gateway stopping");
      const s = server;
      // No new connections; idle keep-alive ones are closed now, busy ones once their response is sent.
      const closed = s ? new Promise<void>((resolve) => s.close(() => resolve())) : Promise.resolve();
      s?.closeIdleConnections();
      const [drained] = await Promise.all([
        handler.drain(options.shutdownTimeoutMs ?? 10_000),
        scheduler.stop(), // the batch in progress commits (or rolls back); no new one starts
        channels.stop(),
        tracking?.stop(),
        maintenance?.stop(),
        metricsPolling?.stop(),
        ...[...sockets].map((ws) => ws.close()),
      ]);
      if (!drained) logger.warn({ timeoutMs: options.shutdownTimeoutMs ?? 10_000 }, "requests still in flight at the shutdown timeout: cut");
      s?.closeAllConnections();
      await closed;
      await live.close();
      if (ownsDb) await db.close();
      logger.info("gateway stopped");
    })());
  }

  return {
    yoga,
    handler,
    attachWebSocket,
    startWorkers,
    readiness,
    metrics,
    logger,
    db,
    registry,
    pubsub,
    scheduler,
    metricsRollup,
    channels,
    tracking,
    authenticator,
    workspaceId: boot.workspaceId,
    adminKey: boot.apiKey,
    adminKeyGenerated: boot.generated,
    start,
    stop,
  };
}

/** Constant-time comparison of two strings (a token check that leaks no timing). */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
