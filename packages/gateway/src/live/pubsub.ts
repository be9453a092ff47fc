import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub, type PubSub } from "graphql-yoga";
import { Redis } from "ioredis";
import type { TaskNotice } from "../engine/persist-advances.js";

export type TaskPayload = TaskNotice & { change: "created" | "updated" | "removed" };
export type BoardPayload = { workspaceId: string };
export type TimelinePayload = { customerId: string; effects: unknown[] };

/**
 * Topics: `tasks:<workspace>:<staff>` (a staff member's task feed), `board:<workspace>` (board
 * counts changed), `timeline:<workspace>:<customer>`. Payloads are plain JSON so they can cross
 * instances through Redis.
 */
export type LiveTopics = Record<string, [TaskPayload | BoardPayload | TimelinePayload]>;

export const taskTopic = (workspaceId: string, staffId: string) => `tasks:${workspaceId}:${staffId}` as const;
export const boardTopic = (workspaceId: string) => `board:${workspaceId}` as const;
export const timelineTopic = (workspaceId: string, customerId: string) => `timeline:${workspaceId}:${customerId}` as const;

// Named, not `ReturnType<typeof createPubSub<LiveTopics>>`: the bundled .d.ts loses the type argument's import there.
export type LivePubSub = PubSub<LiveTopics>;

/**
 * In-process pub/sub, or across instances through Redis when a URL is given (a task created by
 * one gateway's scheduler reaches a staff member subscribed to another).
 */
export function createLivePubSub(redisUrl?: string): { pubsub: LivePubSub; close(): Promise<void> } {
  if (!redisUrl) return { pubsub: createPubSub<LiveTopics>(), close: async () => {} };
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const eventTarget = createRedisEventTarget({ publishClient, subscribeClient });
  return {
    pubsub: createPubSub<LiveTopics>({ eventTarget }),
    close: async () => {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}
