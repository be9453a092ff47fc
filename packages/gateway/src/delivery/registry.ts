import type { ChannelAdapter } from "./types.js";

/** The adapters a delivery worker uses, one per channel. */
export interface AdapterRegistry {
  /** Adds an adapter; throws if the channel already has one unless `replace` is set. */
  register(adapter: ChannelAdapter, options?: { replace?: boolean }): AdapterRegistry;
  get(channel: string): ChannelAdapter | undefined;
  /** Channels with an adapter: the worker claims only these (others stay for contentDue / acknowledgeDeliveries). */
  channels(): string[];
}

/**
 * Creates a registry, optionally pre-filled.
 * @example createAdapterRegistry([createWebhookAdapter({ channel: "sms", url, secret })])
 */
export function createAdapterRegistry(adapters: ChannelAdapter[] = []): AdapterRegistry {
  const byChannel = new Map<string, ChannelAdapter>();
  const registry: AdapterRegistry = {
    register(adapter, options) {
      if (!adapter.channel) throw new Error("adapter.channel is required");
      if (byChannel.has(adapter.channel) && !options?.replace) {
        throw new Error(`channel "${adapter.channel}" already has an adapter (pass { replace: true } to swap it)`);
      }
      byChannel.set(adapter.channel, adapter);
      return registry;
    },
    get: (channel) => byChannel.get(channel),
    channels: () => [...byChannel.keys()],
  };
  for (const a of adapters) registry.register(a);
  return registry;
}
