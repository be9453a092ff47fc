// Wires channel delivery into a gateway: adapters (the user's own plus the built-in WeCom Moments,
// official-account and mini-program ones when credentials are configured), the delivery worker, the
// 群发助手 worker and the WeCom callback route.
import type { Plugin } from "graphql-yoga";
import type { Clock } from "../clock.js";
import type { Database } from "../db/index.js";
import {
  type AdapterRegistry,
  type ChannelAdapter,
  type DeliveryWorker,
  type DeliveryWorkerOptions,
  createAdapterRegistry,
  createDeliveryWorker,
} from "../delivery/index.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import { createPolling } from "../engine/polling.js";
import type { LivePubSub } from "../live/pubsub.js";
import type { MessageTracker } from "../tracking/message-render.js";
import {
  type MassSendWorker,
  type MomentsPolicyInput,
  type MomentsWorker,
  type WeComCallbackHandler,
  createChannelClients,
  createMassSendWorker,
  createMiniProgramAdapter,
  createMomentsAdapter,
  createMomentsWorker,
  createOfficialAccountAdapter,
  createOfficialAccountHandler,
  createWeComCallbackHandler,
  resolveMomentsPolicy,
} from "../wecom-integration/index.js";

export const WECOM_CALLBACK_PATH = "/wecom/callback";
export const OFFICIAL_ACCOUNT_PUSH_PATH = "/wechat/callback";

/** Channel settings of a gateway; every part is optional. */
export interface ChannelOptions {
  /** Your own adapters (e.g. SMS, a webhook): see src/delivery/README.md. */
  channelAdapters?: ChannelAdapter[];
  /** A WeCom corp: callbacks (friend adds, welcome, deletions), 群发助手 and Moments. */
  wecom?: {
    corpId: string;
    secret: string;
    token: string;
    encodingAesKey: string;
    defaultJourney?: string;
    /** Moments as a staff calendar: period (default "7d") and posts per staff member per day (default 1). */
    moments?: MomentsPolicyInput;
  };
  /**
   * An official account: its messages (custom / template). With `token` (and `encodingAesKey` for
   * safe mode) its message push is served at /wechat/callback: follows enrol, unfollows end its steps.
   */
  officialAccount?: { appId: string; secret: string; token?: string; encodingAesKey?: string; defaultJourney?: string };
  miniProgram?: { appId: string; secret: string };
  /** HTTP for the WeChat APIs (default: global fetch). */
  fetch?: typeof globalThis.fetch;
  /** Polling interval of the channel workers once started (default 1,000 ms). */
  deliveryIntervalMs?: number;
  /** How often WeCom callbacks whose processing failed are retried, and old processed ones removed (default 300,000 ms). */
  callbackRecoveryMs?: number;
}

/** A callback is retried by the periodic recovery only once it is this old (it may still be on its way). */
export const CALLBACK_RETRY_AFTER_MS = 60_000;

export interface ChannelRuntime {
  /** The push adapters by channel (more can be registered at run time). */
  adapters: AdapterRegistry;
  deliveryWorker: DeliveryWorker;
  massSendWorker?: MassSendWorker;
  momentsWorker?: MomentsWorker;
  wecomCallback?: WeComCallbackHandler;
  /** Serves GET/POST /wecom/callback (the signature is the authentication). */
  plugin: Plugin;
  start(): void;
  stop(): Promise<void>;
}

export function createChannels(
  deps: {
    db: Database;
    registry: JourneyRegistry;
    pubsub: LivePubSub;
    clock: Clock;
    workspaceId: string;
    log?: (message: string) => void;
    onDeliveriesRecorded?: DeliveryWorkerOptions["onRecorded"];
    /** Renders deliveries before adapters see them (tracked links). */
    renderDeliveries?: DeliveryWorkerOptions["render"];
    /** Tracked links in what the WeCom workers send themselves: 群发助手 tasks, Moments posts, the welcome. */
    messageTracker?: MessageTracker;
  },
  options: ChannelOptions,
): ChannelRuntime {
  const { db, registry, pubsub, clock, workspaceId, log } = deps;
  const clients = createChannelClients({
    clock,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.wecom ? { wecom: { corpId: options.wecom.corpId, secret: options.wecom.secret } } : {}),
    ...(options.officialAccount ? { officialAccount: { appId: options.officialAccount.appId, secret: options.officialAccount.secret } } : {}),
    ...(options.miniProgram ? { miniProgram: options.miniProgram } : {}),
  });
  const adapters = createAdapterRegistry(options.channelAdapters ?? []);
  // Validated here: a bad period or cap fails the gateway's creation with the option's path.
  const momentsPolicy = resolveMomentsPolicy(options.wecom?.moments, undefined, "wecom.moments");
  if (clients.wecom) adapters.register(createMomentsAdapter({ db, policy: momentsPolicy }));
  if (clients.officialAccount) adapters.register(createOfficialAccountAdapter({ api: clients.officialAccount }));
  if (clients.miniProgram && options.miniProgram) adapters.register(createMiniProgramAdapter({ db, app: { appId: options.miniProgram.appId, api: clients.miniProgram } }));
  const intervalMs = options.deliveryIntervalMs;
  const renderMessage = deps.messageTracker?.renderMessage;
  const deliveryWorker = createDeliveryWorker({
    db,
    adapters,
    clock,
    ...(intervalMs ? { intervalMs } : {}),
    ...(log ? { log } : {}),
    ...(deps.onDeliveriesRecorded ? { onRecorded: deps.onDeliveriesRecorded } : {}),
    ...(deps.renderDeliveries ? { render: deps.renderDeliveries } : {}),
  });
  const massSendWorker = clients.wecom
    ? createMassSendWorker({ db, api: clients.wecom, clock, pubsub, workspaceIds: [workspaceId], ...(intervalMs ? { intervalMs } : {}), ...(log ? { log } : {}), ...(renderMessage ? { renderMessage } : {}) })
    : undefined;
  const momentsWorker = clients.wecom
    ? createMomentsWorker({ db, api: clients.wecom, clock, policy: momentsPolicy, workspaceIds: [workspaceId], ...(intervalMs ? { intervalMs } : {}), ...(log ? { log } : {}), ...(renderMessage ? { renderMessage } : {}) })
    : undefined;
  const wecomCallback =
    clients.wecom && options.wecom
      ? createWeComCallbackHandler({
          db,
          registry,
          workspaceId,
          corp: { corpId: options.wecom.corpId, token: options.wecom.token, encodingAesKey: options.wecom.encodingAesKey },
          api: clients.wecom,
          clock,
          pubsub,
          ...(options.wecom.defaultJourney ? { defaultJourney: options.wecom.defaultJourney } : {}),
          ...(log ? { log } : {}),
          ...(deps.messageTracker ? { renderWelcome: deps.messageTracker.renderDelivery } : {}),
        })
      : undefined;
  // At start: callbacks stored by a previous run but not processed (it stopped in between). Then
  // periodically: those whose processing failed since (a database error, say), and the removal of
  // old processed ones, which a long-running gateway would otherwise never do.
  let firstRecovery = true;
  const callbackRecovery =
    wecomCallback &&
    createPolling(
      "wecom callback recovery",
      async () => {
        const receivedBefore = firstRecovery ? undefined : new Date(clock().getTime() - CALLBACK_RETRY_AFTER_MS);
        firstRecovery = false;
        const n = await wecomCallback.recover(receivedBefore ? { receivedBefore } : {});
        if (n > 0) log?.(`wecom callbacks: processing ${n} stored but unprocessed`);
      },
      options.callbackRecoveryMs ?? 300_000,
      log,
    );
  const oa = options.officialAccount;
  const oaPush =
    oa?.token &&
    createOfficialAccountHandler({
      db,
      registry,
      workspaceId,
      account: { appId: oa.appId, token: oa.token, ...(oa.encodingAesKey ? { encodingAesKey: oa.encodingAesKey } : {}) },
      clock,
      pubsub,
      ...(oa.defaultJourney ? { defaultJourney: oa.defaultJourney } : {}),
      ...(log ? { log } : {}),
    });
  const plugin: Plugin = {
    onRequest({ request, url, endResponse }) {
      if (url.pathname === OFFICIAL_ACCOUNT_PUSH_PATH) {
        if (!oaPush) return endResponse(new Response("the official account's message push is not configured on this gateway", { status: 404 }));
        return oaPush(request).then(endResponse);
      }
      if (url.pathname !== WECOM_CALLBACK_PATH) return;
      if (!wecomCallback) return endResponse(new Response("WeCom is not configured on this gateway", { status: 404 }));
      return wecomCallback(request).then(endResponse);
    },
  };
  return {
    adapters,
    deliveryWorker,
    ...(massSendWorker ? { massSendWorker } : {}),
    ...(momentsWorker ? { momentsWorker } : {}),
    ...(wecomCallback ? { wecomCallback } : {}),
    plugin,
    start() {
      deliveryWorker.start();
      massSendWorker?.start();
      momentsWorker?.start();
      callbackRecovery?.start();
    },
    async stop() {
      await callbackRecovery?.stop();
      await deliveryWorker.stop();
      await massSendWorker?.stop();
      await momentsWorker?.stop();
      await wecomCallback?.drain();
    },
  };
}
