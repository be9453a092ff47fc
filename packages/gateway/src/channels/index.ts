/**
 * WeCom / WeChat channel primitives: pure, I/O-injected building blocks the gateway composes.
 * The msw fake lives in ./testing/fake-wecom.ts and is deliberately not exported here (it needs msw).
 */
export * from "./errors.js";
export * from "./http.js";
export * from "./retry.js";
export * from "./access-token.js";
export * from "./wecom/callback-errors.js";
export * from "./wecom/replay-guard.js";
export * from "./wecom/callback-crypto.js";
export * from "./wecom/callback-events.js";
export * from "./wecom/types.js";
export * from "./wecom/validate.js";
export * from "./wecom/api.js";
export * from "./wecom/mass-send-limits.js";
export * from "./wechat/types.js";
export * from "./wechat/service-window.js";
export * from "./wechat/subscribe-fields.js";
export * from "./wechat/subscribe-quota.js";
export * from "./wechat/api.js";
