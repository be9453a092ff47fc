// POST /webhooks/signals/<adapter> — a registered reply-signal adapter's payload (chat archive,
// 获客助手): "Authorization: Bearer <workspace API key>", any JSON body; answers like the events
// webhook { accepted, duplicates, rejected }. See replies/signal-adapter.ts.
import type { Plugin } from "graphql-yoga";
import { isConnectionLoss } from "../db/connection-loss.js";
import { emptyNotices } from "../engine/persist-advances.js";
import { UNAVAILABLE_MESSAGE } from "../graphql/errors.js";
import type { GatewayServices } from "../graphql/context.js";
import { MAX_BODY_BYTES } from "../graphql/limits.js";
import { publishNotices } from "../live/publish-notices.js";
import { type SignalAdapter, SignalAdapterError, ingestSignals } from "../replies/signal-adapter.js";
import { jsonError, readBodyLimited } from "./http-limits.js";
import { authenticateRoute } from "./route-auth.js";

export const SIGNALS_PATH = "/webhooks/signals/";

export function signalsWebhookPlugin(services: GatewayServices, adapters: ReadonlyMap<string, SignalAdapter>, log?: (message: string) => void): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (!url.pathname.startsWith(SIGNALS_PATH)) return;
      return handle(services, adapters, url.pathname.slice(SIGNALS_PATH.length), request, log).then(endResponse);
    },
  };
}

async function handle(services: GatewayServices, adapters: ReadonlyMap<string, SignalAdapter>, name: string, request: Request, log?: (message: string) => void): Promise<Response> {
  const adapter = adapters.get(name);
  if (!adapter) return jsonError(404, "NOT_FOUND", `no signal adapter "${name}" (registered: ${[...adapters.keys()].join(", ") || "none"})`);
  const auth = await authenticateRoute(services, request, { method: "POST", path: `${SIGNALS_PATH}${name}`, credentials: "workspace API key" });
  if (auth instanceof Response) return auth;
  if (auth.kind !== "apiKey") return jsonError(403, "FORBIDDEN", "signal webhooks need a workspace API key; staff tokens cannot use them");
  const text = await readBodyLimited(request, MAX_BODY_BYTES);
  if (text === null) return jsonError(413, "LIMIT", `request body: at most ${MAX_BODY_BYTES} bytes allowed`, { field: "body", limit: MAX_BODY_BYTES });
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return jsonError(400, "BAD_USER_INPUT", "body: expected JSON");
  }
  const notices = emptyNotices();
  try {
    const result = await ingestSignals(services.db, services.registry, auth.workspaceId, adapter, payload, services.clock(), notices);
    publishNotices(services.pubsub, notices);
    services.metrics?.eventsIngested(result);
    return new Response(JSON.stringify(result), { status: 200, headers: { "content-type": "application/json; charset=utf-8" } });
  } catch (err) {
    if (err instanceof SignalAdapterError) return jsonError(400, "BAD_USER_INPUT", err.message);
    if (isConnectionLoss(err)) return jsonError(503, "UNAVAILABLE", UNAVAILABLE_MESSAGE, { retryable: true });
    log?.(`signal adapter ${name}: ${(err as Error).stack ?? String(err)}`);
    return jsonError(500, "INTERNAL_SERVER_ERROR", "Unexpected error.");
  }
}
