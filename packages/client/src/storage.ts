/**
 * Synchronous key-value storage as the offline queue needs it: `wx.getStorageSync` /
 * `wx.setStorageSync` in mini-programs, a Map (or your own file/DB adapter) on Node.
 */
import { resolveWx, type WxStorageApi } from "./transport/wx-types.js";

/** Synchronous storage. `get` of a missing key returns `undefined`, `null` or `""` (wx returns `""`). */
export interface SyncStorage {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** {@link SyncStorage} over `wx.getStorageSync` / `wx.setStorageSync` (data survives app restarts). */
export function wxStorage(wx?: WxStorageApi): SyncStorage {
  const api = resolveWx(wx, "getStorageSync");
  return { get: (key) => api.getStorageSync(key), set: (key, value) => api.setStorageSync(key, value) };
}

/** In-memory {@link SyncStorage}; pass the same `map` to a new instance to simulate a restart. */
export function memoryStorage(map: Map<string, unknown> = new Map()): SyncStorage {
  return { get: (key) => map.get(key), set: (key, value) => void map.set(key, value) };
}
