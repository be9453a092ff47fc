/**
 * The subset of the WeChat mini-program `wx` API this package uses, typed from the official
 * docs (developers.weixin.qq.com → API → 网络 / 数据缓存). Kept local so the package does not
 * depend on `miniprogram-api-typings`, and so fakes only implement what is really called.
 */

/** Every wx callback result carries `errMsg`: `"<api>:ok"` or `"<api>:fail <reason>"`. */
export interface WxCallbackResult {
  errMsg: string;
  /** Numeric error code on newer base libraries (2.24+). */
  errno?: number;
}

/** Options of `wx.request`. */
export interface WxRequestOption {
  url: string;
  method?: "OPTIONS" | "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "TRACE" | "CONNECT";
  header?: Record<string, string>;
  /** A string is sent as is; an object is JSON-encoded (POST) or turned into a query string (GET). */
  data?: string | Record<string, unknown> | ArrayBuffer;
  /** Milliseconds (base library 2.10.0+). */
  timeout?: number;
  /** `"json"` (default): wx tries `JSON.parse` on the body and hands back the string if that fails. */
  dataType?: "json" | (string & {});
  responseType?: "text" | "arraybuffer";
  /** Called for every HTTP response, whatever its status. */
  success?: (result: WxRequestSuccessResult) => void;
  /** Called when no response arrived: `errMsg` like `"request:fail timeout"`, `"request:fail abort"`. */
  fail?: (result: WxCallbackResult) => void;
  complete?: (result: WxCallbackResult) => void;
}

/** What `wx.request` passes to `success`. */
export interface WxRequestSuccessResult extends WxCallbackResult {
  data: unknown;
  statusCode: number;
  header: Record<string, string>;
  cookies?: string[];
}

/** Returned by `wx.request`. */
export interface WxRequestTask {
  abort(): void;
}

/** Options of `wx.connectSocket`. */
export interface WxConnectSocketOption {
  url: string;
  header?: Record<string, string>;
  protocols?: string[];
  timeout?: number;
  success?: (result: WxCallbackResult) => void;
  fail?: (result: WxCallbackResult) => void;
  complete?: (result: WxCallbackResult) => void;
}

/** Returned by `wx.connectSocket` (base library 1.7.0+). */
export interface WxSocketTask {
  onOpen(listener: (result: { header?: Record<string, string> }) => void): void;
  onMessage(listener: (result: { data: string | ArrayBuffer }) => void): void;
  onClose(listener: (result: { code: number; reason: string }) => void): void;
  onError(listener: (result: WxCallbackResult) => void): void;
  send(option: { data: string | ArrayBuffer; success?: (r: WxCallbackResult) => void; fail?: (r: WxCallbackResult) => void }): void;
  close(option: { code?: number; reason?: string; success?: (r: WxCallbackResult) => void; fail?: (r: WxCallbackResult) => void }): void;
}

/** What `wx.onNetworkStatusChange` passes to its listener. */
export interface WxNetworkStatus {
  isConnected: boolean;
  /** `"wifi"`, `"4g"`, ..., `"none"`. */
  networkType: string;
}

/** `wx.request`. */
export interface WxRequestApi {
  request(option: WxRequestOption): WxRequestTask;
}

/** `wx.connectSocket`. */
export interface WxSocketApi {
  connectSocket(option: WxConnectSocketOption): WxSocketTask;
}

/** `wx.getStorageSync` / `wx.setStorageSync` (a missing key reads as `""`). */
export interface WxStorageApi {
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, data: unknown): void;
}

/** `wx.onNetworkStatusChange` / `wx.offNetworkStatusChange` (the latter since base library 2.9.3). */
export interface WxNetworkApi {
  onNetworkStatusChange(listener: (status: WxNetworkStatus) => void): void;
  offNetworkStatusChange?(listener: (status: WxNetworkStatus) => void): void;
}

/** Everything this package may call on `wx`. */
export interface WxApi extends WxRequestApi, WxSocketApi, WxStorageApi, WxNetworkApi {}

/**
 * The `wx` you were given, else the mini-program's own, else a clear error (same rule as
 * `resolveFetch`). A `wx` passed in is used as is: nothing global is read then. The fallback reads
 * the free variable `wx`, which WeChat injects into every module's scope (it need not be a
 * property of `globalThis`, which older base libraries do not even have).
 * `method` names the API the caller needs, for the message and the check.
 */
export function resolveWx<T>(given: T | undefined, method: string): T {
  const candidate = given ?? ambientWx();
  if (candidate && typeof (candidate as Record<string, unknown>)[method] === "function") return candidate as T;
  throw new TypeError(
    `Expected a WeChat \`wx\` object with ${method}(), but ${given ? "the one passed lacks it" : "none was passed and the global wx is " + typeof candidate}. ` +
      "Pass `wx` explicitly (e.g. createFakeWx() in tests), or use the fetch transport outside mini-programs.",
  );
}

declare const wx: unknown;
function ambientWx(): unknown {
  return typeof wx === "undefined" ? undefined : wx;
}

/** Case-insensitive header lookup (wx keeps the server's header case). */
export function headerValue(header: Record<string, string> | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const lower = name.toLowerCase();
  for (const key of Object.keys(header)) if (key.toLowerCase() === lower) return header[key];
  return undefined;
}
