import { type Plugin, createYoga, type YogaServerInstance } from "graphql-yoga";
import type { Logger } from "pino";
import { type Context, type GatewayServices, createContext } from "../graphql/context.js";
import { maskError } from "../graphql/errors.js";
import { getSchema } from "../graphql/schema.js";
import { bodyLimitPlugin } from "./http-limits.js";
import { type IntrospectionAccess, type QueryLimits, introspectionPlugin, queryLimitPlugins } from "./security.js";
import { webhookPlugin } from "./webhook.js";
import { signalsWebhookPlugin } from "./signals-webhook.js";
import type { SignalAdapter } from "../replies/signal-adapter.js";
import { metricsCsvPlugin } from "./metrics-csv.js";

/** What yoga hands the context factory: HTTP requests carry `request`, graphql-ws operations `connectionParams`. */
export interface ServerContext {
  connectionParams?: Readonly<Record<string, unknown>> | undefined;
}

export type GatewayYoga = YogaServerInstance<ServerContext, Context>;

export const GRAPHQL_PATH = "/graphql";

/** The Authorization value of an HTTP request or of graphql-ws connectionParams ({ authorization } or { Authorization }). */
export function authorizationOf(initial: { request?: Request; connectionParams?: Readonly<Record<string, unknown>> | undefined }): string | null {
  const params = initial.connectionParams;
  if (params) {
    const value = params.authorization ?? params.Authorization;
    if (typeof value === "string") return value;
  }
  return initial.request?.headers?.get("authorization") ?? null;
}

/**
 * The yoga instance: the schema, per-request contexts (authentication, dataloaders), masked
 * unexpected errors, query and body limits, and the events webhook.
 */
export function createGatewayYoga(
  services: GatewayServices,
  options: {
    queryLimits?: Partial<QueryLimits> | undefined;
    logger?: Logger | undefined;
    graphiql?: boolean | undefined;
    introspection?: IntrospectionAccess | undefined;
    plugins?: Plugin[] | undefined;
    signalAdapters?: ReadonlyMap<string, SignalAdapter> | undefined;
  } = {},
): GatewayYoga {
  const logger = options.logger?.child({ component: "graphql" });
  const log = logger ? (message: string) => logger.error(message) : undefined;
  return createYoga<ServerContext, Context>({
    schema: getSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    context: (initial) => createContext(services, authorizationOf(initial as { request?: Request; connectionParams?: Record<string, unknown> })),
    maskedErrors: { maskError },
    graphiql: options.graphiql === false ? false : { subscriptionsProtocol: "WS", title: "sopline" },
    landingPage: false,
    logging: logger
      ? {
          debug: (...args: unknown[]) => logger.trace(args.map(String).join(" ")), // yoga narrates every request at debug
          info: (...args: unknown[]) => logger.info(args.map(String).join(" ")),
          warn: (...args: unknown[]) => logger.warn(args.map(String).join(" ")),
          error: (...args: unknown[]) => logger.error(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(" ")),
        }
      : "warn",
    plugins: [
      bodyLimitPlugin(),
      webhookPlugin(services, log),
      signalsWebhookPlugin(services, options.signalAdapters ?? new Map(), log),
      metricsCsvPlugin(services),
      ...(options.plugins ?? []),
      introspectionPlugin(options.introspection ?? "authenticated"),
      ...queryLimitPlugins(options.queryLimits),
    ],
  });
}
