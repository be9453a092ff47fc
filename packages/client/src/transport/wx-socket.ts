/**
 * Makes `wx.connectSocket` look like the `WebSocket` class graphql-ws expects, so the mini-program
 * runtime (which has no WebSocket class) can use graphql-ws unchanged via `webSocketImpl`.
 */
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from "graphql-ws/client";
import { resolveWx, type WxSocketApi, type WxSocketTask } from "./wx-types.js";

/** Options for {@link createWxWebSocket}. */
export interface WxWebSocketOptions {
  /** Defaults to the global `wx`. */
  wx?: WxSocketApi;
  /** Extra handshake headers (authentication goes in graphql-ws `connectionParams` instead). */
  header?: Record<string, string>;
}

/** The WebSocket surface graphql-ws's client touches. */
export interface WebSocketLike {
  readonly url: string;
  readonly protocol: string;
  readonly readyState: number;
  onopen: ((event: { type: "open" }) => void) | null;
  onmessage: ((event: { data: string }) => void) | null;
  onerror: ((event: { type: "error"; message: string }) => void) | null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A constructor graphql-ws accepts as `webSocketImpl` (it checks for the four static states). */
export interface WebSocketLikeConstructor {
  new (url: string, protocols?: string | string[]): WebSocketLike;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
}

/** 1006 is what browsers report when a connection dies without a close frame. */
const ABNORMAL_CLOSURE = 1006;

/**
 * A WebSocket class backed by `wx.connectSocket`.
 *
 * @example
 * createSubscriptionClient({ url: "wss://api.example.com/graphql", webSocketImpl: createWxWebSocket({ wx }) });
 */
export function createWxWebSocket(options: WxWebSocketOptions = {}): WebSocketLikeConstructor {
  const wx = resolveWx(options.wx, "connectSocket");

  class WxWebSocket implements WebSocketLike {
    static readonly CONNECTING = 0 as const;
    static readonly OPEN = 1 as const;
    static readonly CLOSING = 2 as const;
    static readonly CLOSED = 3 as const;

    readonly url: string;
    readonly protocol: string;
    readyState: number = WxWebSocket.CONNECTING;
    onopen: WebSocketLike["onopen"] = null;
    onmessage: WebSocketLike["onmessage"] = null;
    onerror: WebSocketLike["onerror"] = null;
    onclose: WebSocketLike["onclose"] = null;
    private readonly task: WxSocketTask;

    constructor(url: string, protocols: string | string[] = GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      const list = typeof protocols === "string" ? [protocols] : protocols;
      if (!list.includes(GRAPHQL_TRANSPORT_WS_PROTOCOL)) {
        throw new TypeError(`Expected the "${GRAPHQL_TRANSPORT_WS_PROTOCOL}" subprotocol, got ${JSON.stringify(list)}`);
      }
      this.url = url;
      this.protocol = GRAPHQL_TRANSPORT_WS_PROTOCOL;
      this.task = wx.connectSocket({
        url,
        protocols: list,
        ...(options.header ? { header: options.header } : {}),
        // wx may refuse to even start (bad domain, too many sockets): report it like a dead socket.
        // Deferred: graphql-ws assigns its handlers only after this constructor returns.
        fail: (res) =>
          void Promise.resolve().then(() => {
            this.onerror?.({ type: "error", message: res.errMsg });
            this.closed(ABNORMAL_CLOSURE, res.errMsg);
          }),
      });
      this.task.onOpen(() => {
        this.readyState = WxWebSocket.OPEN;
        this.onopen?.({ type: "open" });
      });
      this.task.onMessage(({ data }) => {
        // The gateway sends text frames; decode binary ones rather than hand graphql-ws an ArrayBuffer.
        this.onmessage?.({ data: typeof data === "string" ? data : new TextDecoder().decode(data) });
      });
      this.task.onError((res) => this.onerror?.({ type: "error", message: res.errMsg }));
      this.task.onClose(({ code, reason }) => this.closed(code, reason));
    }

    send(data: string): void {
      this.task.send({ data });
    }

    close(code?: number, reason?: string): void {
      if (this.readyState >= WxWebSocket.CLOSING) return;
      this.readyState = WxWebSocket.CLOSING;
      this.task.close({ ...(code === undefined ? {} : { code }), ...(reason === undefined ? {} : { reason }) });
    }

    // At most one close event, whichever of fail/onClose comes first.
    private closed(code: number, reason: string): void {
      if (this.readyState === WxWebSocket.CLOSED) return;
      this.readyState = WxWebSocket.CLOSED;
      this.onclose?.({ code, reason, wasClean: code === 1000 });
    }
  }

  return WxWebSocket;
}
