import { afterAll, describe, expect, it } from "vitest";
import { type LivePubSubHandle, type LiveStatus, boardTopic, createLivePubSub } from "../../src/live/pubsub.js";
import { type RedisProcess, startRedis } from "./processes.js";

async function statusBecomes(live: LivePubSubHandle, want: LiveStatus, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (live.status() !== want) {
    if (Date.now() > deadline) throw new Error(`status still ${live.status()}, expected ${want}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Subscribes now; `value` is the next payload on `topic`, or undefined when none arrives within `ms`. */
function nextOn(live: LivePubSubHandle, topic: string, ms = 3_000): { value: Promise<unknown> } {
  const it = live.pubsub.subscribe(topic)[Symbol.asyncIterator]();
  const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), ms));
  return { value: Promise.race([it.next().then((r) => r.value), timeout]).finally(() => void it.return?.()) };
}

describe("createLivePubSub status and outage", () => {
  const opened: LivePubSubHandle[] = [];
  let redis: RedisProcess | undefined;
  afterAll(async () => {
    await Promise.all(opened.map((l) => l.close()));
    await redis?.kill();
  });

  it("is disabled without a Redis url", () => {
    expect(createLivePubSub().status()).toBe("disabled");
  });

  it("reports disconnected while Redis is down, never rejects a publish, and resumes cross-instance delivery", async () => {
    redis = await startRedis();
    const logs: string[] = [];
    const one = createLivePubSub(redis.url, { log: (l) => logs.push(l) });
    const two = createLivePubSub(redis.url);
    opened.push(one, two);
    await statusBecomes(one, "connected");
    await statusBecomes(two, "connected");
    const topic = boardTopic("w1");

    const across = nextOn(two, topic);
    await new Promise((r) => setTimeout(r, 100)); // the SUBSCRIBE round trip
    one.pubsub.publish(topic, { workspaceId: "before" });
    expect(await across.value).toEqual({ workspaceId: "before" });

    await redis.kill();
    await statusBecomes(one, "disconnected");
    // Many publishes during the outage: none throws or rejects (vitest fails the run on an
    // unhandled rejection), and this instance's own subscribers still get them.
    const here = nextOn(one, topic);
    for (let i = 0; i < 100; i++) one.pubsub.publish(topic, { workspaceId: `during-${i}` });
    expect(await here.value).toEqual({ workspaceId: "during-0" });
    await new Promise((r) => setTimeout(r, 1_500)); // past ioredis's 3 retries per queued command
    expect(logs.filter((l) => /Redis at \S+ is unreachable/.test(l))).toHaveLength(1);

    redis = await startRedis(redis.port);
    await statusBecomes(one, "connected");
    await statusBecomes(two, "connected");
    const again = nextOn(two, topic);
    await new Promise((r) => setTimeout(r, 100));
    one.pubsub.publish(topic, { workspaceId: "after" });
    expect(await again.value).toEqual({ workspaceId: "after" });
    expect(logs.filter((l) => /Redis at \S+ is back/.test(l))).toHaveLength(1);
  }, 60_000);
});
