/**
 * WeCom / WeChat wired into the gateway: the callback endpoint (friend adds, welcome within 20 s,
 * deletions), the 群发助手 worker, and the Moments / official-account / mini-program adapters.
 * See README.md for mounting them.
 */
export { createChannelClients, forWorkspace, type ChannelClients, type ChannelClientsOptions, type PerWorkspace } from "./clients.js";
export {
  createWeComCallbackHandler,
  type CallbackProcessed,
  type WeComCallbackHandler,
  type WeComCallbackHandlerOptions,
  type WeComCorpConfig,
} from "./callback-handler.js";
export { createOfficialAccountHandler, type OfficialAccountHandlerOptions } from "./official-account-handler.js";
export { CONTACT_DELETED, type ContactDeletedData } from "./deletion.js";
export { OA_SCENE, OA_SUBSCRIBED, type FollowResult } from "./follow-events.js";
export type { MessageResult } from "./official-account-messages.js";
export { findWelcomeStep } from "./welcome-step.js";
export type { WelcomeOutcome } from "./welcome.js";
export { createMassSendWorker, type MassSendRunStats, type MassSendWorker, type MassSendWorkerOptions } from "./mass-send/worker.js";
export { createMomentsAdapter, type MomentsAdapterOptions } from "./moments-adapter.js";
export { createMomentsWorker, type MomentsRunStats, type MomentsWorker, type MomentsWorkerOptions } from "./moments/worker.js";
export {
  DEFAULT_MOMENTS_POLICY,
  MomentsSettingError,
  resolveMomentsPolicy,
  type MomentsPolicy,
  type MomentsPolicyInput,
} from "./moments/policy.js";
export { createOfficialAccountAdapter, type OfficialAccountAdapterOptions } from "./official-account-adapter.js";
export { createMiniProgramAdapter, type MiniProgramAdapterOptions } from "./mini-program-adapter.js";
export {
  grantSubscribeQuota,
  remainingSubscribeQuota,
  type QuotaKey,
} from "./subscribe-quota-store.js";
