// graphql-ws on a Node HTTP server: the gateway's own, or an application's (embedding). Only
// upgrades on `path` are taken; the application's other WebSocket routes are left alone.
import type http from "node:http";
import type { Duplex } from "node:stream";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { type Authenticator, InvalidTokenError } from "../auth/index.js";
import { type GatewayYoga, authorizationOf } from "./yoga.js";

/** Close code sent to subscribers when the gateway stops (RFC 6455 "going away"). */
export const GOING_AWAY = 1001;
const CLOSE_HANDSHAKE_MS = 2_000;

export interface AttachedWebSocket {
  wss: WebSocketServer;
  /** Stops taking upgrades, closes every socket with 1001 (going away) and the server. */
  close(): Promise<void>;
}

export function attachGraphqlWebSocket(
  server: http.Server,
  path: string,
  deps: { yoga: GatewayYoga; authenticator: Authenticator; maxPayload: number; refuse: () => boolean },
): AttachedWebSocket {
  const { yoga, authenticator } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxPayload });
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? "/").split("?")[0] !== path) return;
    if (deps.refuse()) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  };
  server.on("upgrade", onUpgrade);
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
    wss,
  );
  let closing: Promise<void> | undefined;
  return {
    wss,
    close: () =>
      (closing ??= (async () => {
        server.off("upgrade", onUpgrade);
        for (const client of wss.clients) client.close(GOING_AWAY, "server shutting down");
        // wss.close() waits for every socket's close handshake: a client that never answers is cut after a moment.
        const closed = new Promise<void>((resolve) => wss.close(() => resolve()));
        const cut = setTimeout(() => {
          for (const client of wss.clients) client.terminate();
        }, CLOSE_HANDSHAKE_MS);
        await closed;
        clearTimeout(cut);
      })()),
  };
}
