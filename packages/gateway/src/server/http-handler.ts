// The gateway as a Node (req, res) handler: what `start()` serves and what an application mounts
// on its own HTTP server. Around the yoga app it adds a request id, the body limit (also for
// chunked bodies, counted as they stream), /healthz, /readyz and /metrics, and the bookkeeping a
// graceful shutdown needs (requests in flight; new ones refused with 503 + Retry-After).
import { randomUUID } from "node:crypto";
import type http from "node:http";
import type { Logger } from "pino";
import type { GatewayMetrics } from "../ops/metrics.js";
import { type Readiness, readinessStatusCode } from "../ops/health.js";
import { isConsolePath, serveConsole } from "./console-static.js";
import type { GatewayYoga } from "./yoga.js";

export const HEALTH_PATH = "/healthz";
export const READY_PATH = "/readyz";
export const METRICS_PATH = "/metrics";
/** Seconds a caller refused during shutdown is asked to wait before retrying. */
export const RETRY_AFTER_SECONDS = 5;

export interface HttpHandlerOptions {
  yoga: GatewayYoga;
  logger: Logger;
  readiness: () => Promise<Readiness>;
  metrics: GatewayMetrics;
  /** Whether an Authorization header may read /metrics. */
  canReadMetrics: (authorization: string | null) => Promise<boolean>;
  maxBodyBytes: number;
  /** Tracked links under /t/ (src/tracking), when the gateway has a public URL. */
  tracking?: ((req: http.IncomingMessage, res: http.ServerResponse, path: string) => Promise<void>) | undefined;
}

export interface GatewayHttpHandler {
  (req: http.IncomingMessage, res: http.ServerResponse): void;
  /** Refuses new requests (503 + Retry-After) and resolves once none is in flight (true) or after `timeoutMs` (false). */
  drain(timeoutMs: number): Promise<boolean>;
  /** True once drain() was called. */
  readonly draining: boolean;
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
};

const errorBody = (code: string, message: string, extra: Record<string, unknown> = {}) => ({ errors: [{ message, extensions: { code, ...extra } }] });

/** The caller's x-request-id when it is a sane token, else a new one. */
function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && /^[\w.:@/+=-]{1,200}$/.test(given) ? given : randomUUID();
}

export function createHttpHandler(options: HttpHandlerOptions): GatewayHttpHandler {
  const { yoga, logger, maxBodyBytes } = options;
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;

  const tooLarge = (res: http.ServerResponse, got?: number) =>
    json(res, 413, errorBody("LIMIT", `request body: at most ${maxBodyBytes} bytes allowed${got === undefined ? "" : `, got ${got}`}`, { field: "body", limit: maxBodyBytes }), { connection: "close" });

  async function route(req: http.IncomingMessage, res: http.ServerResponse, log: () => Logger): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (options.tracking && path.startsWith("/t/")) return options.tracking(req, res, path);
    if (req.method === "GET" || req.method === "HEAD") {
      if (path === HEALTH_PATH) return json(res, 200, { status: "ok" });
      if (path !== undefined && isConsolePath(path)) return serveConsole(req, res, path);
      if (path === READY_PATH) {
        const readiness = await options.readiness();
        return json(res, readinessStatusCode(readiness), readiness);
      }
      if (path === METRICS_PATH) {
        const authorization = req.headers.authorization ?? null;
        if (!(await options.canReadMetrics(authorization))) {
          return json(res, 401, errorBody("UNAUTHENTICATED", "/metrics needs \"Authorization: Bearer <admin API key or SOPLINE_METRICS_TOKEN>\""));
        }
        const text = await options.metrics.registry.metrics();
        res.writeHead(200, { "content-type": options.metrics.registry.contentType });
        res.end(text);
        return;
      }
    }
    const declared = req.headers["content-length"];
    if (declared !== undefined) {
      const length = Number(declared);
      if (length > maxBodyBytes) {
        tooLarge(res, length);
        req.resume();
        return;
      }
    } else if (req.headers["transfer-encoding"] !== undefined) {
      // No length announced: count the bytes as they arrive and stop at the limit.
      const body = await readLimited(req, maxBodyBytes);
      if (body === null) {
        log().warn({ limit: maxBodyBytes }, "request body over the limit (chunked)");
        tooLarge(res);
        req.resume();
        return;
      }
      // @whatwg-node (under yoga) takes an already read body from req.body.
      (req as http.IncomingMessage & { body?: Buffer }).body = body;
    }
    await yoga(req, res);
  }

  const handler = ((req: http.IncomingMessage, res: http.ServerResponse) => {
    const requestId = requestIdOf(req);
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    // The request's child logger only when something is logged: most requests (tracked-link
    // beacons above all) log nothing below the debug level.
    let child: Logger | undefined;
    const log = () => (child ??= logger.child({ requestId }));
    const debug = logger.isLevelEnabled("debug");
    if (draining) {
      json(res, 503, errorBody("UNAVAILABLE", "the gateway is shutting down: retry in a moment (another instance may answer)"), {
        "retry-after": String(RETRY_AFTER_SECONDS),
        connection: "close",
      });
      req.resume();
      return;
    }
    const started = performance.now();
    inFlight++;
    if (debug) log().debug({ method: req.method, url: req.url }, "request received");
    res.once("close", () => {
      inFlight--;
      if (res.statusCode >= 500 || debug) {
        const ms = Math.round(performance.now() - started);
        const fields = { method: req.method, url: req.url, status: res.statusCode, ms, ...(res.writableFinished ? {} : { aborted: true }) };
        if (res.statusCode >= 500) log().error(fields, "request failed");
        else log().debug(fields, "request done");
      }
      if (draining) req.socket.destroySoon?.();
      if (inFlight === 0) idle?.();
    });
    route(req, res, log).catch((err: unknown) => {
      log().error({ err }, "request handler failed");
      if (!res.headersSent) json(res, 500, errorBody("INTERNAL_SERVER_ERROR", "Unexpected error."));
      else res.destroy();
    });
  }) as GatewayHttpHandler;

  handler.drain = (timeoutMs) => {
    draining = true;
    if (inFlight === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      idle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  };
  Object.defineProperty(handler, "draining", { get: () => draining });
  return handler;
}

/** Reads a request body, or null as soon as it passes `maxBytes` (the rest is read and dropped, so the 413 reaches the caller). */
function readLimited(req: http.IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off("data", onData).off("end", onEnd).off("error", reject);
      req.resume();
      resolve(null);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on("data", onData).once("end", onEnd).once("error", reject);
  });
}
