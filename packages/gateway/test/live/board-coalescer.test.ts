import { createPubSub } from "graphql-yoga";
import { describe, expect, it } from "vitest";
import { type CoalescerTimers, createBoardCoalescer } from "../../src/live/board-coalescer.js";
import { type LiveTopics, boardTopic } from "../../src/live/pubsub.js";

/** Timers that run only when the test moves the clock. */
function manualTimers(): CoalescerTimers & { advance(ms: number): Promise<void>; pending(): number } {
  let now = 0;
  let seq = 0;
  const queue = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      queue.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void queue.delete(h as number),
    pending: () => queue.size,
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        await settle();
        const next = [...queue.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!next) break;
        queue.delete(next[0]);
        now = next[1].at;
        next[1].fn();
      }
      now = until;
      await settle();
    },
  };
}
// Lets pub/sub deliveries and resolved loads run (no time passes).
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
};

function setup(load?: (ws: string) => Promise<string>) {
  const pubsub = createPubSub<LiveTopics>();
  const timers = manualTimers();
  const calls: string[] = [];
  const coalescer = createBoardCoalescer<string>({
    pubsub,
    timers,
    load: load ?? (async (ws) => {
      calls.push(ws);
      return `${ws}#${calls.length}`;
    }),
  });
  const change = (ws: string) => pubsub.publish(boardTopic(ws), { workspaceId: ws });
  return { pubsub, timers, calls, coalescer, change };
}

function collect(it: AsyncIterableIterator<string>): string[] {
  const got: string[] = [];
  void (async () => {
    for (let r = await it.next(); !r.done; r = await it.next()) got.push(r.value);
  })();
  return got;
}

describe("live board coalescing", () => {
  it("many watchers and many changes within one second: one recompute, handed to every watcher", async () => {
    const { timers, calls, coalescer, change } = setup();
    const watchers = Array.from({ length: 50 }, () => coalescer.watch("ws1"));
    const seen = watchers.map(collect);
    await settle();
    change("ws1");
    await timers.advance(0);
    expect(calls).toEqual(["ws1"]); // the first change is shown at once
    for (let i = 0; i < 200; i++) {
      change("ws1");
      await timers.advance(4);
    }
    expect(calls).toHaveLength(1); // 200 changes in the 800 ms after it: none yet
    await timers.advance(200);
    expect(calls).toHaveLength(2); // one recompute a second after the first
    await timers.advance(5_000);
    expect(calls).toHaveLength(2); // nothing changed since
    expect(coalescer.recomputes()).toBe(2);
    expect(seen.every((s) => s.join() === "ws1#1,ws1#2")).toBe(true);
    for (const w of watchers) await w.return!();
  });

  it("workspaces are coalesced apart; a watcher sees only its workspace", async () => {
    const { timers, calls, coalescer, change } = setup();
    const a = collect(coalescer.watch("a"));
    const b = collect(coalescer.watch("b"));
    await settle();
    change("a");
    change("b");
    change("a");
    await timers.advance(1_000);
    expect(calls.sort()).toEqual(["a", "b"]);
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(a[0]).toMatch(/^a#/);
  });

  it("changes during a slow recompute bring exactly one more, an interval after the first started", async () => {
    let release: (() => void) | undefined;
    let loads = 0;
    const { timers, coalescer, change } = setup(async (ws) => {
      loads++;
      await new Promise<void>((r) => (release = r));
      return `${ws}#${loads}`;
    });
    const seen = collect(coalescer.watch("ws1"));
    await settle();
    change("ws1");
    await timers.advance(0);
    expect(loads).toBe(1);
    change("ws1");
    change("ws1");
    await timers.advance(3_000); // still loading: nothing new starts
    expect(loads).toBe(1);
    release!();
    await timers.advance(0);
    expect(loads).toBe(2); // at once: the interval since the first start has passed
    release!();
    await settle();
    expect(seen).toEqual(["ws1#1", "ws1#2"]);
  });

  it("when the last watcher leaves, the workspace is no longer watched and changes cost nothing", async () => {
    const { timers, calls, coalescer, change } = setup();
    const w1 = coalescer.watch("ws1");
    const w2 = coalescer.watch("ws1");
    await settle();
    expect(coalescer.watched()).toBe(1);
    await w1.return!();
    expect(coalescer.watched()).toBe(1);
    await w2.return!();
    expect(coalescer.watched()).toBe(0);
    change("ws1");
    await timers.advance(2_000);
    expect(calls).toEqual([]);
    expect(await w2.next()).toEqual({ value: undefined, done: true });
  });

  it("a slow reader gets the newest board, not a backlog", async () => {
    const { timers, coalescer, change } = setup();
    const w = coalescer.watch("ws1");
    await settle();
    for (let i = 0; i < 3; i++) {
      change("ws1");
      await timers.advance(1_000);
    }
    expect(await w.next()).toEqual({ value: "ws1#3", done: false });
    await w.return!();
  });
});
