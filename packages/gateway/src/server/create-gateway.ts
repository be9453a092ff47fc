import http from "node:http";
import type { AddressInfo } from "node:net";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
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
import { startEmbeddedMaintenance } from "../db/embedded-maintenance.js";
import { type Database, openDatabase } from "../db/index.js";
import { JourneyRegistry } from "../engine/journey-registry.js";
import type { Polling } from "../engine/polling.js";
import { type Scheduler, createScheduler } from "../engine/scheduler.js";
import type { GatewayServices } from "../graphql/context.js";
import { MAX_BODY_BYTES } from "../graphql/limits.js";
import { type LivePubSub, createLivePubSub, revocationTopic } from "../live/pubsub.js";
import { type ChannelOptions, type ChannelRuntime, createChannels } from "./channels.js";
import type { QueryLimits } from "./security.js";
import { GRAPHQL_PATH, type GatewayYoga, authorizationOf, createGatewayYoga } from "./yoga.js";

export interface GatewayOptions extends ChannelOptions {
  /** postgres://… for PostgreSQL; default: embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite directory (default ./data/pglite). */
  dataDir?: string | undefined;
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
  /** Serve GraphiQL on GET /graphql (default true). */
  graphiql?: boolean | undefined;
}

export interface Gateway {
  /** The yoga app: `yoga.fetch(...)` in tests, also a Node request handler. */
  yoga: GatewayYoga;
  db: Database;
  registry: JourneyRegistry;
  pubsub: LivePubSub;
  scheduler: Scheduler;
  authenticator: Authenticator;
  /** The first workspace (created on first start). */
  workspaceId: string;
  /** Channel delivery: the delivery worker, the 群发助手 worker and the WeCom callback handler. */
  channels: ChannelRuntime;
  /** The first workspace's API key when this start created it (print it: it is not stored). */
  adminKey?: string | undefined;
  /** True when adminKey was generated rather than given. */
  adminKeyGenerated: boolean;
  /** Listens (HTTP + graphql-ws on one port, path /graphql) and starts the scheduler. Port 0 picks a free one. */
  start(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /** Stops the scheduler, closes sockets and the server, Redis, and the database (unless it was given). Idempotent. */
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
  const log = options.log;
  const clock = options.clock ?? systemClock;
  const ownsDb = !options.db;
  const db = options.db ?? (await openDatabase({ url: options.databaseUrl, dataDir: options.dataDir, log }));
  let boot: Awaited<ReturnType<typeof ensureDefaultWorkspace>>;
  let secrets: ReturnType<typeof createSecretBox>;
  try {
    const secretKey = resolveSecretKey({ secretKey: options.secretKey, db });
    if (secretKey.file) log?.(`secret key: ${secretKey.file}`);
    secrets = createSecretBox(secretKey.key);
    boot = await ensureDefaultWorkspace(db, options.adminKey);
    const { sealed } = await sealTokenSecrets(db, secrets, secretKey.file ? `key file ${secretKey.file}` : secretKey.source);
    if (sealed > 0) log?.(`sealed ${sealed} staff-token secret(s) stored in plaintext before`);
    if (options.adminKey && !boot.created) {
      const [known] = await db.sql.query(`SELECT 1 FROM workspaces WHERE api_key_hash = $1`, [hashApiKey(options.adminKey)]);
      if (!known) log?.("warning: the admin key matches no workspace (it only sets the key of the first workspace, on first start)");
    }
  } catch (err) {
    if (ownsDb) await db.close();
    throw err;
  }
  const registry = new JourneyRegistry();
  const live = createLivePubSub(options.redisUrl);
  const scheduler = createScheduler({ db, registry, pubsub: live.pubsub, clock, intervalMs: options.schedulerIntervalMs, ...(log ? { log } : {}) });
  const authenticator = createAuthenticator(db, clock, {
    secrets,
    // Live subscriptions of revoked tokens end at once, on every gateway sharing the pub/sub.
    onRevoked: (r) => live.pubsub.publish(revocationTopic(r.workspaceId, r.staffId), r),
  });
  // Read per request: adapters can be registered after the gateway is built.
  const services: GatewayServices = { db, registry, pubsub: live.pubsub, clock, authenticator, pushedChannels: () => channels.adapters.channels() };
  const channels = createChannels({ db, registry, pubsub: live.pubsub, clock, workspaceId: boot.workspaceId, ...(log ? { log } : {}) }, options);
  const yoga = createGatewayYoga(services, { queryLimits: options.queryLimits, log, graphiql: options.graphiql, plugins: [channels.plugin] });

  let server: http.Server | undefined;
  let wss: WebSocketServer | undefined;
  let stopping: Promise<void> | undefined;
  let maintenance: Polling | undefined;

  async function start(port = 4000, host?: string): Promise<{ port: number; url: string }> {
    if (server) throw new Error("gateway already started");
    const httpServer = http.createServer((req, res) => {
      const length = Number(req.headers["content-length"] ?? 0);
      if (length > MAX_BODY_BYTES) {
        res.writeHead(413, { "content-type": "application/json; charset=utf-8", connection: "close" });
        res.end(JSON.stringify({ errors: [{ message: `request body: at most ${MAX_BODY_BYTES} bytes allowed, got ${length}`, extensions: { code: "LIMIT", field: "body", limit: MAX_BODY_BYTES } }] }));
        req.resume();
        return;
      }
      void yoga(req, res);
    });
    server = httpServer;
    const ws = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, maxPayload: MAX_BODY_BYTES });
    wss = ws;
    useServer<Record<string, unknown>, { request: http.IncomingMessage }>(
      {
        execute: (args) => (args.rootValue as { execute: (a: unknown) => never }).execute(args),
        subscribe: (args) => (args.rootValue as { subscribe: (a: unknown) => never }).subscribe(args),
        // Wrong credentials close the socket at once (4403); absent ones only fail the operations that need them.
        onConnect: async (ctx) => {
          try {
            await authenticator.authenticate(authorizationOf({ connectionParams: ctx.connectionParams }));
            return true;
          } catch (err) {
            if (err instanceof InvalidTokenError) return false;
            throw err;
          }
        },
        onSubscribe: async (ctx, _id, params) => {
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params,
          });
          let document;
          try {
            document = parse(params.query);
          } catch (err) {
            return [err as never];
          }
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
          return {
            schema,
            operationName: params.operationName,
            document,
            variableValues: params.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe },
          };
        },
      },
      ws,
    );
    await new Promise<void>((resolve, reject) => {
      httpServer.once("error", reject);
      httpServer.listen(port, host, () => {
        httpServer.off("error", reject);
        resolve();
      });
    });
    scheduler.start();
    channels.start();
    // PostgreSQL's autovacuum does this on a server; PGlite has no background workers.
    const maintenanceMs = options.maintenanceIntervalMs ?? 60_000;
    if (db.kind === "pglite" && maintenanceMs > 0) maintenance = startEmbeddedMaintenance(db.sql, { intervalMs: maintenanceMs, ...(log ? { log } : {}) });
    const address = httpServer.address() as AddressInfo;
    const shownHost = host && host !== "0.0.0.0" && host !== "::" ? host : "localhost";
    return { port: address.port, url: `http://${shownHost}:${address.port}${GRAPHQL_PATH}` };
  }

  async function stop(): Promise<void> {
    return (stopping ??= (async () => {
      await scheduler.stop();
      await channels.stop();
      await maintenance?.stop();
      if (wss) {
        for (const client of wss.clients) client.close(1001, "server shutting down");
        await new Promise<void>((resolve) => wss!.close(() => resolve()));
        for (const client of wss.clients) client.terminate();
      }
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      }
      await live.close();
      if (ownsDb) await db.close();
    })());
  }

  return {
    yoga,
    db,
    registry,
    pubsub: live.pubsub,
    scheduler,
    channels,
    authenticator,
    workspaceId: boot.workspaceId,
    adminKey: boot.apiKey,
    adminKeyGenerated: boot.generated,
    start,
    stop,
  };
}
