/**
 * A faithful fake of the `wx` APIs @sopline/client calls, for tests that run on Node against a
 * real gateway: `wx.request` goes to a real HTTP server (or an in-process handler such as
 * `yoga.fetch`), `wx.connectSocket` opens a real `ws` connection. Callbacks follow the documented
 * shapes: `success` for every HTTP status with `errMsg: "request:ok"`, `fail` with
 * `"request:fail …"` when no response arrives, `getStorageSync` returning `""` for a missing key.
 *
 * Controls: `setOnline(false)` (requests fail, sockets drop and cannot reconnect, network
 * listeners fire), `dropSockets()` (every open socket dies with 1006, as on a network switch).
 *
 * Needs the `ws` package (a dev dependency of whoever runs the tests).
 */
import WebSocket from "ws";
import type {
  WxApi,
  WxCallbackResult,
  WxConnectSocketOption,
  WxNetworkStatus,
  WxRequestOption,
  WxRequestSuccessResult,
  WxRequestTask,
  WxSocketTask,
} from "../transport/wx-types.js";

/** Options for {@link createFakeWx}. */
export interface FakeWxOptions {
  /** Serves `wx.request` in-process, e.g. `(request) => yoga.fetch(request)`. Default: real HTTP via global fetch. */
  fetch?: (request: Request) => Response | Promise<Response>;
  /** Start offline (default: online). */
  online?: boolean;
  /** Storage to start from: pass another fake's `storage` to simulate an app restart. */
  storage?: Map<string, string>;
}

/** A `wx.request` call as the fake saw it. */
export interface FakeRequestRecord {
  readonly url: string;
  readonly method: string;
  readonly header: Readonly<Record<string, string>>;
  readonly data: unknown;
}

/** A `wx.connectSocket` call as the fake saw it. */
export interface FakeSocketRecord {
  readonly url: string;
  readonly protocols: readonly string[];
  readonly header: Readonly<Record<string, string>>;
  /** True between the socket's open and close events. */
  readonly open: boolean;
}

/** The fake `wx` plus its controls. */
export interface FakeWx extends WxApi {
  /** `false`: new requests fail, open sockets drop (1006), new sockets fail. Both directions notify network listeners. */
  setOnline(online: boolean): void;
  isOnline(): boolean;
  /** Kills every open socket without a close frame (the client sees 1006); returns how many. */
  dropSockets(): number;
  /** Every connectSocket call, oldest first. */
  readonly sockets: readonly FakeSocketRecord[];
  /** Every request call, oldest first. */
  readonly requests: readonly FakeRequestRecord[];
  /** Storage as wx keeps it: one JSON string per key. Keep the map to "restart" with the same data. */
  readonly storage: Map<string, string>;
  removeStorageSync(key: string): void;
}

const OFFLINE_REQUEST = "request:fail -2:net::ERR_INTERNET_DISCONNECTED";
const OFFLINE_SOCKET = "WebSocket connection failed: net::ERR_INTERNET_DISCONNECTED";
// Documented storage limits: 1 MB per key, 10 MB in total.
const MAX_ITEM_BYTES = 1024 * 1024;
const MAX_TOTAL_BYTES = 10 * 1024 * 1024;

/**
 * Creates a fake `wx`.
 *
 * @example
 * const wx = createFakeWx({ fetch: (request) => yoga.fetch(request) });
 * const http = createWxRequestTransport({ wx, url: "http://yoga/graphql" });
 */
export function createFakeWx(options: FakeWxOptions = {}): FakeWx {
  const handler = options.fetch ?? ((request: Request) => fetch(request));
  const storage = options.storage ?? new Map<string, string>();
  const sockets: FakeSocketRecord[] = [];
  const requests: FakeRequestRecord[] = [];
  const live = new Set<WebSocket>();
  const networkListeners = new Set<(status: WxNetworkStatus) => void>();
  let online = options.online ?? true;

  function request(option: WxRequestOption): WxRequestTask {
    const method = option.method ?? "GET";
    const header: Record<string, string> = { "content-type": "application/json", ...option.header };
    requests.push({ url: option.url, method, header, data: option.data });
    const controller = new AbortController();
    let finished = false;
    const finish = (run: () => void) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      run();
    };
    const fail = (errMsg: string) =>
      finish(() => {
        option.fail?.({ errMsg });
        option.complete?.({ errMsg });
      });
    const timer = setTimeout(() => {
      controller.abort();
      fail("request:fail timeout");
    }, option.timeout ?? 60_000);
    timer.unref?.();

    if (!online) {
      setTimeout(() => fail(OFFLINE_REQUEST), 0); // wx callbacks are always asynchronous
    } else {
      void (async () => {
        const { url, body } = encodeRequest(option.url, method, header, option.data);
        const response = await handler(new Request(url, { method, headers: header, body, signal: controller.signal }));
        const raw = option.responseType === "arraybuffer" ? await response.arrayBuffer() : await response.text();
        let data: unknown = raw;
        if ((option.dataType ?? "json") === "json" && typeof raw === "string") {
          try {
            data = JSON.parse(raw);
          } catch {
            data = raw; // wx hands back the string when JSON.parse fails
          }
        }
        const result: WxRequestSuccessResult = {
          data,
          statusCode: response.status,
          header: titleCaseHeaders(response.headers),
          cookies: response.headers.getSetCookie?.() ?? [],
          errMsg: "request:ok",
        };
        finish(() => {
          option.success?.(result);
          option.complete?.({ errMsg: result.errMsg });
        });
      })().catch((error: unknown) => fail(`request:fail ${error instanceof Error ? error.message : String(error)}`));
    }
    return {
      abort: () => {
        controller.abort();
        fail("request:fail abort");
      },
    };
  }

  function connectSocket(option: WxConnectSocketOption): WxSocketTask {
    const listeners = {
      open: [] as ((r: { header?: Record<string, string> }) => void)[],
      message: [] as ((r: { data: string | ArrayBuffer }) => void)[],
      close: [] as ((r: { code: number; reason: string }) => void)[],
      error: [] as ((r: WxCallbackResult) => void)[],
    };
    const record = { url: option.url, protocols: option.protocols ?? [], header: option.header ?? {}, open: false };
    sockets.push(record);
    const ok = { errMsg: "connectSocket:ok" };
    setTimeout(() => {
      option.success?.(ok);
      option.complete?.(ok);
    }, 0);

    let ws: WebSocket | undefined;
    if (!online) {
      // The call itself succeeds; the failure surfaces on the task, as on a device without network.
      setTimeout(() => {
        for (const l of listeners.error) l({ errMsg: OFFLINE_SOCKET });
        for (const l of listeners.close) l({ code: 1006, reason: "" });
      }, 0);
    } else {
      ws = new WebSocket(option.url, option.protocols ?? [], { headers: option.header ?? {} });
      live.add(ws);
      ws.on("open", () => {
        record.open = true;
        for (const l of listeners.open) l({ header: {} });
      });
      ws.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        const payload = isBinary ? toArrayBuffer(data) : toBuffer(data).toString("utf8");
        for (const l of listeners.message) l({ data: payload });
      });
      ws.on("error", (error: Error) => {
        for (const l of listeners.error) l({ errMsg: error.message });
      });
      ws.on("close", (code: number, reason: Buffer) => {
        record.open = false;
        if (ws) live.delete(ws);
        for (const l of listeners.close) l({ code, reason: reason.toString("utf8") });
      });
    }

    return {
      onOpen: (l) => void listeners.open.push(l),
      onMessage: (l) => void listeners.message.push(l),
      onClose: (l) => void listeners.close.push(l),
      onError: (l) => void listeners.error.push(l),
      send: ({ data, success, fail }) => {
        if (!ws || ws.readyState !== WebSocket.OPEN) {
          fail?.({ errMsg: "sendSocketMessage:fail WebSocket is not connected" });
          return;
        }
        ws.send(data, (error) =>
          error ? fail?.({ errMsg: `sendSocketMessage:fail ${error.message}` }) : success?.({ errMsg: "sendSocketMessage:ok" }),
        );
      },
      close: ({ code, reason, success, fail }) => {
        try {
          ws?.close(code ?? 1000, reason);
          success?.({ errMsg: "closeSocket:ok" });
        } catch (error) {
          fail?.({ errMsg: `closeSocket:fail ${error instanceof Error ? error.message : String(error)}` });
        }
      },
    };
  }

  function dropSockets(): number {
    const count = live.size;
    for (const ws of [...live]) ws.terminate(); // no close frame: the client reports 1006
    return count;
  }

  function setOnline(next: boolean): void {
    online = next;
    if (!next) dropSockets();
    const status: WxNetworkStatus = { isConnected: next, networkType: next ? "wifi" : "none" };
    for (const l of [...networkListeners]) l(status);
  }

  return {
    request,
    connectSocket,
    getStorageSync: (key) => {
      const raw = storage.get(key);
      return raw === undefined ? "" : JSON.parse(raw);
    },
    setStorageSync: (key, data) => {
      const raw = JSON.stringify(data) ?? "null";
      let total = raw.length;
      for (const [k, v] of storage) if (k !== key) total += v.length;
      if (raw.length > MAX_ITEM_BYTES || total > MAX_TOTAL_BYTES) {
        throw new Error("setStorageSync:fail exceed storage max size");
      }
      storage.set(key, raw);
    },
    removeStorageSync: (key) => void storage.delete(key),
    onNetworkStatusChange: (l) => void networkListeners.add(l),
    offNetworkStatusChange: (l) => void networkListeners.delete(l),
    setOnline,
    isOnline: () => online,
    dropSockets,
    sockets,
    requests,
    storage,
  };
}

// wx JSON-encodes object data for non-GET requests and turns it into a query string for GET.
function encodeRequest(
  url: string,
  method: string,
  header: Record<string, string>,
  data: WxRequestOption["data"],
): { url: string; body: string | ArrayBuffer | undefined } {
  if (data === undefined) return { url, body: undefined };
  if (typeof data === "string" || data instanceof ArrayBuffer) return { url, body: method === "GET" ? undefined : data };
  if (method === "GET") {
    const query = new URLSearchParams(Object.entries(data).map(([k, v]): [string, string] => [k, String(v)])).toString();
    return { url: query ? `${url}${url.includes("?") ? "&" : "?"}${query}` : url, body: undefined };
  }
  const contentType = Object.entries(header).find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "";
  if (contentType.includes("application/x-www-form-urlencoded")) {
    return { url, body: new URLSearchParams(Object.entries(data).map(([k, v]): [string, string] => [k, String(v)])).toString() };
  }
  return { url, body: JSON.stringify(data) };
}

// Real wx keeps the server's header case ("Content-Type"); fetch lowercases, so undo that.
function titleCaseHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase())] = value;
  });
  return out;
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

function toArrayBuffer(data: Buffer | ArrayBuffer | Buffer[]): ArrayBuffer {
  const buffer = toBuffer(data);
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
