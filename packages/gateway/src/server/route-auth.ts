// The HTTP routes beside GraphQL (events webhook, signal webhooks, metrics CSV) answer a wrong
// method and a missing or bad Bearer credential the same way; each then checks what it needs.
import { InvalidTokenError } from "../auth/index.js";
import type { GatewayServices } from "../graphql/context.js";
import { jsonError } from "./http-limits.js";

export type RouteAuth = NonNullable<Awaited<ReturnType<GatewayServices["authenticator"]["authenticate"]>>>;

/** The caller's identity, or the error response to send: 405 for another method, 401 without valid credentials. */
export async function authenticateRoute(
  services: GatewayServices,
  request: Request,
  route: { method: "GET" | "POST"; path: string; credentials: string },
): Promise<RouteAuth | Response> {
  if (request.method !== route.method) {
    const res = jsonError(405, "METHOD_NOT_ALLOWED", `${route.path} accepts ${route.method} only`);
    res.headers.set("allow", route.method);
    return res;
  }
  try {
    const auth = await services.authenticator.authenticate(request.headers.get("authorization"));
    return auth ?? jsonError(401, "UNAUTHENTICATED", `send "Authorization: Bearer <${route.credentials}>"`);
  } catch (err) {
    if (err instanceof InvalidTokenError) return jsonError(401, "UNAUTHENTICATED", err.message);
    throw err;
  }
}
