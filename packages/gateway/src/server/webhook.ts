// POST /webhooks/events — the same ingestion as the ingestEvents mutation for servers that would
// rather not speak GraphQL: { "events": [ { id, customer, name, at, data?, customerIdKind?, profile? } ] }
// with "Authorization: Bearer <workspace API key>"; answers { accepted, duplicates, rejected }.
import type { Plugin } from "graphql-yoga";
import { isConnectionLoss } from "../db/connection-loss.js";
import { UNAVAILABLE_MESSAGE } from "../graphql/errors.js";
import { emptyNotices } from "../engine/persist-advances.js";
import type { EventInput } from "../events/event-input.js";
import { ingestEvents } from "../events/ingest.js";
import type { GatewayServices } from "../graphql/context.js";
import type { GraphQLError } from "graphql";
import { MAX_BODY_BYTES, MAX_EVENTS_PER_BATCH, checkArgumentLimits } from "../graphql/limits.js";
import { publishNotices } from "../live/publish-notices.js";
import { jsonError, readBodyLimited } from "./http-limits.js";
import { authenticateRoute } from "./route-auth.js";

export const WEBHOOK_PATH = "/webhooks/events";

export function webhookPlugin(services: GatewayServices, log?: (message: string) => void): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (url.pathname !== WEBHOOK_PATH) return;
      return handle(services, request, log).then(endResponse);
    },
  };
}

async function handle(services: GatewayServices, request: Request, log?: (message: string) => void): Promise<Response> {
  const auth = await authenticateRoute(services, request, { method: "POST", path: WEBHOOK_PATH, credentials: "workspace API key" });
  if (auth instanceof Response) return auth;
  if (auth.kind !== "apiKey") return jsonError(403, "FORBIDDEN", "the events webhook needs a workspace API key; staff tokens cannot use it");
  const text = await readBodyLimited(request, MAX_BODY_BYTES);
  if (text === null) return jsonError(413, "LIMIT", `request body: at most ${MAX_BODY_BYTES} bytes allowed`, { field: "body", limit: MAX_BODY_BYTES });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return jsonError(400, "BAD_USER_INPUT", "body: expected JSON like { \"events\": [ … ] }");
  }
  const events = (body as { events?: unknown } | null)?.events;
  if (!Array.isArray(events)) return jsonError(400, "BAD_USER_INPUT", 'events: expected an array ({ "events": [ … ] })', { field: "events" });
  if (events.length > MAX_EVENTS_PER_BATCH) {
    return jsonError(413, "LIMIT", `events: at most ${MAX_EVENTS_PER_BATCH} events per request, got ${events.length}; split the batch`, { field: "events", limit: MAX_EVENTS_PER_BATCH });
  }
  try {
    checkArgumentLimits("events", { events }, { lists: { events: MAX_EVENTS_PER_BATCH }, argsBytes: MAX_BODY_BYTES, checkedPerItem: ["events"] });
  } catch (err) {
    const e = err as GraphQLError;
    return jsonError(413, "LIMIT", e.message, { field: e.extensions?.field, limit: e.extensions?.limit });
  }
  const notices = emptyNotices();
  try {
    const result = await ingestEvents(services.db, services.registry, auth.workspaceId, events as EventInput[], services.clock(), notices);
    publishNotices(services.pubsub, notices);
    services.metrics?.eventsIngested(result);
    return new Response(JSON.stringify(result), { status: 200, headers: { "content-type": "application/json; charset=utf-8" } });
  } catch (err) {
    // Retrying is safe: events are recorded once per id.
    if (isConnectionLoss(err)) return jsonError(503, "UNAVAILABLE", UNAVAILABLE_MESSAGE, { retryable: true });
    log?.(`webhook: ${(err as Error).stack ?? String(err)}`);
    return jsonError(500, "INTERNAL_SERVER_ERROR", "Unexpected error.");
  }
}
