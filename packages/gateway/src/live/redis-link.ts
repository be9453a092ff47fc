// The gateway's two Redis connections (one publishes, one subscribes), made safe for an outage:
// Redis only carries live notices, so losing it must cost those notices and nothing else.
import { Redis } from "ioredis";

export interface RedisLink {
  /** Publishes, or while Redis is unreachable hands the message to this instance's subscribers only. Never throws, never rejects. */
  publisher: { publish(channel: string, message: string): void };
  /** Subscriptions are remembered and renewed whenever the connection is (re)established. */
  subscriber: {
    subscribe(channel: string): void;
    unsubscribe(channel: string): void;
    on(event: "message", listener: (channel: string, message: string) => void): void;
  };
  status(): "connected" | "disconnected";
  close(): Promise<void>;
}

/** Connects (and keeps reconnecting, every ≤ 2 s, as ioredis does) to `url`. */
export function connectRedisLink(url: string, log?: (message: string) => void): RedisLink {
  const where = redisAddress(url);
  // maxRetriesPerRequest bounds how long a publish sent while still connecting waits in
  // ioredis's queue; once Redis is known to be down, publishes are not sent at all.
  const publishClient = new Redis(url, { maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(url, { maxRetriesPerRequest: 3, autoResubscribe: false });
  const channels = new Set<string>();
  const listeners: Array<(channel: string, message: string) => void> = [];
  // While Redis is away this instance's own subscribers still get its notices.
  const deliverHere = (channel: string, message: string) => {
    if (channels.has(channel)) for (const l of listeners) l(channel, message);
  };
  let down = false;
  let closing = false;
  let dropped = 0;
  let publishFailing = false;

  const markDown = (err?: Error) => {
    if (closing || down) return;
    down = true;
    dropped = 0;
    log?.(`live updates: Redis at ${where} is unreachable (${err?.message ?? "connection closed"}); serving and scheduling go on, subscribers get only this instance's updates until it is back`);
  };
  const markUpIfBothReady = () => {
    if (!down || publishClient.status !== "ready" || subscribeClient.status !== "ready") return;
    down = false;
    log?.(`live updates: Redis at ${where} is back (${dropped} notices reached this instance only); cross-instance updates resume`);
  };
  for (const client of [publishClient, subscribeClient]) {
    client.on("error", markDown);
    client.on("close", () => markDown());
    client.on("ready", markUpIfBothReady);
  }
  // A new connection has no subscriptions: renew them all (also those made while Redis was away).
  subscribeClient.on("ready", () => {
    if (channels.size > 0) subscribeClient.subscribe(...channels).catch(() => {});
  });

  return {
    publisher: {
      publish(channel, message) {
        if (down) {
          dropped++;
          return deliverHere(channel, message);
        }
        publishClient.publish(channel, message).then(
          () => (publishFailing = false),
          (err: Error) => {
            dropped++;
            if (publishClient.status !== "ready") {
              markDown(err);
              return deliverHere(channel, message);
            }
            // Redis answered with an error (out of memory, say): report the first of a series.
            if (!publishFailing) log?.(`live updates: publishing to Redis at ${where} failed (${err.message})`);
            publishFailing = true;
          },
        );
      },
    },
    subscriber: {
      subscribe(channel) {
        channels.add(channel);
        // Failing here means the connection dropped; the "ready" handler subscribes again.
        if (subscribeClient.status === "ready") subscribeClient.subscribe(channel).catch(() => {});
      },
      unsubscribe(channel) {
        channels.delete(channel);
        if (subscribeClient.status === "ready") subscribeClient.unsubscribe(channel).catch(() => {});
      },
      on(event, listener) {
        // A message another publisher garbled must not throw inside ioredis's socket handler.
        const safe = (channel: string, message: string) => {
          try {
            listener(channel, message);
          } catch (err) {
            log?.(`live updates: ignored a message on ${channel} (${(err as Error).message})`);
          }
        };
        listeners.push(safe);
        subscribeClient.on(event, safe);
      },
    },
    status: () => (publishClient.status === "ready" && subscribeClient.status === "ready" ? "connected" : "disconnected"),
    async close() {
      closing = true;
      // quit() on a client that is not connected would wait in the queue for a reconnect.
      await Promise.allSettled([publishClient, subscribeClient].map(async (c) => (c.status === "ready" ? c.quit() : c.disconnect())));
    },
  };
}

/** host:port of a Redis url, without credentials (for log lines). */
function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return u.host || "redis";
  } catch {
    return "redis";
  }
}
