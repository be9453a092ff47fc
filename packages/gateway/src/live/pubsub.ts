import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub, type PubSub } from "graphql-yoga";
import type { AlertNotice, TaskNotice } from "../engine/persist-advances.js";
import { type RedisLink, connectRedisLink } from "./redis-link.js";

export type TaskPayload = TaskNotice & { change: "created" | "updated" | "removed" };
/** A live item on a staff member's task feed that is not a task (src/opportunities). */
export type AlertPayload = AlertNotice & { change: "alert" };
export type BoardPayload = { workspaceId: string };
/** `staffId`: the owner of the enrollment the effects come from (absent from older gateways). */
/** A staff session (or all of a member's: sessionId null) was revoked: their live subscriptions end. */
export type RevocationPayload = { workspaceId: string; staffId: string; sessionId: string | null };
export type TimelinePayload = { customerId: string; staffId?: string | null; effects: unknown[] };

/**
 * Topics: `tasks:<workspace>:<staff>` (a staff member's task feed), `board:<workspace>` (board
 * counts changed), `timeline:<workspace>:<customer>`, `revoked:<workspace>:<staff>` (staff tokens
 * revoked: their live subscriptions end). Payloads are plain JSON so they can cross
 * instances through Redis.
 */
export type LiveTopics = Record<string, [TaskPayload | AlertPayload | BoardPayload | TimelinePayload | RevocationPayload]>;

export const taskTopic = (workspaceId: string, staffId: string) => `tasks:${workspaceId}:${staffId}` as const;
export const boardTopic = (workspaceId: string) => `board:${workspaceId}` as const;
export const timelineTopic = (workspaceId: string, customerId: string) => `timeline:${workspaceId}:${customerId}` as const;
export const revocationTopic = (workspaceId: string, staffId: string) => `revoked:${workspaceId}:${staffId}` as const;

// Named, not `ReturnType<typeof createPubSub<LiveTopics>>`: the bundled .d.ts loses the type argument's import there.
export type LivePubSub = PubSub<LiveTopics>;

/** "disabled": no Redis configured (in-process only); otherwise whether Redis is reachable now. */
export type LiveStatus = "disabled" | "connected" | "disconnected";

export interface LivePubSubHandle {
  pubsub: LivePubSub;
  close(): Promise<void>;
  status(): LiveStatus;
}

export interface LivePubSubOptions {
  /** Receives one line when Redis becomes unreachable and one when it is back (not one per publish). */
  log?: ((message: string) => void) | undefined;
}

/**
 * In-process pub/sub, or across instances through Redis when a URL is given (a task created by
 * one gateway's scheduler reaches a staff member subscribed to another).
 *
 * Redis carries live notices only: while it is unreachable, publishing drops them (it never
 * throws or rejects: it runs after commit, and clients catch up by cursor), subscribers get this
 * instance's notices only, and status() says "disconnected". When Redis returns, subscriptions are
 * renewed and cross-instance notices flow again.
 * @example
 * const live = createLivePubSub(process.env.REDIS_URL, { log: console.error });
 * live.pubsub.publish(boardTopic(workspaceId), { workspaceId });
 * live.status(); // "connected"
 */
export function createLivePubSub(redisUrl?: string, options: LivePubSubOptions = {}): LivePubSubHandle {
  if (!redisUrl) return { pubsub: createPubSub<LiveTopics>(), close: async () => {}, status: () => "disabled" };
  const link: RedisLink = connectRedisLink(redisUrl, options.log);
  // The library only needs publish / subscribe / unsubscribe / on("message"); the link's
  // never-rejecting versions stand in for ioredis clients.
  const eventTarget = createRedisEventTarget({ publishClient: link.publisher as never, subscribeClient: link.subscriber as never });
  return { pubsub: createPubSub<LiveTopics>({ eventTarget }), close: link.close, status: link.status };
}
