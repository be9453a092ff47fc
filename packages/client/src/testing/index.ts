/**
 * @sopline/client/testing — test helpers, kept out of the main and wx entries (they need `ws`).
 *
 * @example
 * import { createFakeWx } from "@sopline/client/testing";
 * const wx = createFakeWx(); // wx.request → real HTTP, wx.connectSocket → a real ws connection
 */
export { createFakeWx, type FakeRequestRecord, type FakeSocketRecord, type FakeWx, type FakeWxOptions } from "./fake-wx.js";
