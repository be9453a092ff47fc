import type { Unsubscribe } from "./types.js";
import { resolveWx, type WxNetworkApi, type WxNetworkStatus } from "./wx-types.js";

/** Calls `listener` whenever the device may have come back online; returns the way to stop. */
export type OnlineSignal = (listener: () => void) => Unsubscribe;

/**
 * An {@link OnlineSignal} from `wx.onNetworkStatusChange`, for `createEventReporter({ onlineSignal })`.
 *
 * @example
 * createEventReporter({ send, storage: wxStorage(wx), onlineSignal: wxOnlineSignal(wx) });
 */
export function wxOnlineSignal(wx?: WxNetworkApi): OnlineSignal {
  const api = resolveWx(wx, "onNetworkStatusChange");
  return (listener) => {
    const onChange = (status: WxNetworkStatus) => {
      if (status.isConnected) listener();
    };
    api.onNetworkStatusChange(onChange);
    // offNetworkStatusChange exists from base library 2.9.3; older ones cannot unsubscribe.
    return () => api.offNetworkStatusChange?.(onChange);
  };
}
