import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFakeWx } from "../src/testing/fake-wx.js";
import {
  compareCursors,
  createSubscriptionClient,
  createWxRequestTransport,
  createWxWebSocket,
  GraphQLResponseError,
  liveItems,
  resumableFeed,
  unwrap,
  type ConnectedInfo,
  type Cursor,
  type LiveSink,
  type ResumableFeed,
  type SubscriptionClient,
} from "../src/transport/index.js";
import { retryGate } from "./helpers/collect.js";
import { createSignal, deferred } from "./helpers/signal.js";
import { startTestServer, type Item, type TestServer } from "./helpers/test-server.js";

const ITEMS = { query: "subscription { items { cursor title } }" };
const ITEMS_AFTER = "query ($cursor: Int, $limit: Int) { itemsAfter(cursor: $cursor, limit: $limit) { items { cursor title } hasMore } }";
type Page = { itemsAfter: { items: Item[]; hasMore: boolean } };

describe("resumableFeed against a real server, over the fake wx", () => {
  let server: TestServer;
  const cleanups: (() => unknown)[] = [];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  afterAll(async () => {
    await server.stop();
  });

  function setup(options: { limit?: number } = {}) {
    const wx = createFakeWx();
    const gate = retryGate();
    const live: SubscriptionClient = createSubscriptionClient({ url: server.wsUrl, webSocketImpl: createWxWebSocket({ wx }), retryWait: gate.retryWait });
    const http = createWxRequestTransport({ wx, url: server.url });
    const received: Item[] = [];
    const rawLive: Item[] = [];
    const catchUps: (Cursor | undefined)[] = [];
    const changed = createSignal();
    let beforeCatchUp: () => Promise<void> = async () => {};
    const base = liveItems<Item, { items: Item }>(live, ITEMS, (r) => r.data?.items);
    const feed = resumableFeed<Item>(
      {
        onConnected: base.onConnected,
        // Observe raw live arrivals so a test can wait for a live copy before catch-up answers.
        live: (sink) =>
          base.live({
            ...sink,
            next: (item) => {
              rawLive.push(item);
              changed.notify();
              sink.next(item);
            },
          }),
        catchUp: async (after) => {
          catchUps.push(after);
          await beforeCatchUp();
          const page = unwrap(await http.request<Page>({ query: ITEMS_AFTER, variables: { cursor: after, limit: options.limit ?? 100 } }));
          return page.itemsAfter;
        },
        cursorOf: (item) => item.cursor,
        retryWait: async () => {},
      },
      {
        next: (item) => {
          received.push(item);
          changed.notify();
        },
      },
    );
    cleanups.push(async () => {
      feed.unsubscribe();
      await live.dispose();
      await server.changed.until(() => server.subscriberCount() === 0, "server subscriptions to end");
    });
    return {
      wx,
      gate,
      feed,
      received,
      rawLive,
      catchUps,
      changed,
      onCatchUp: (run: () => Promise<void>) => (beforeCatchUp = run),
      titles: () => received.map((i) => i.title),
    };
  }

  it("delivers an item created while the socket was down exactly once, via catch-up after reconnect", async () => {
    const t = setup();
    await server.changed.until(() => server.subscriberCount() === 1, "live subscription");
    server.createItem("before drop");
    await t.changed.until(() => t.received.length === 1, "first live item");

    t.wx.dropSockets();
    await t.gate.changed.until(() => t.gate.calls.length === 1, "reconnect to be scheduled");
    await server.changed.until(() => server.subscriberCount() === 0, "server to notice the drop");
    server.createItem("while disconnected 1");
    server.createItem("while disconnected 2");
    t.gate.open();

    await t.changed.until(() => t.received.length === 3, "catch-up items");
    expect(t.catchUps).toEqual([1]);
    await server.changed.until(() => server.subscriberCount() === 1, "live again");
    server.createItem("after reconnect");
    await t.changed.until(() => t.received.length === 4, "live item after reconnect");
    expect(t.titles()).toEqual(["before drop", "while disconnected 1", "while disconnected 2", "after reconnect"]);
    expect(t.feed.cursor()).toBe(server.items.at(-1)?.cursor);
  });

  it("dedupes an item that arrives both live and in the catch-up answer", async () => {
    const t = setup();
    await server.changed.until(() => server.subscriberCount() === 1, "live subscription");
    server.createItem("one");
    await t.changed.until(() => t.received.length === 1, "first item");

    t.wx.dropSockets();
    await t.gate.changed.until(() => t.gate.calls.length === 1, "reconnect to be scheduled");
    await server.changed.until(() => server.subscriberCount() === 0, "server to notice the drop");
    server.createItem("missed");
    t.onCatchUp(async () => {
      // Hold the catch-up until the new live subscription delivered an item the catch-up will also return.
      await server.changed.until(() => server.subscriberCount() === 1, "resubscribed");
      server.createItem("both");
      await t.changed.until(() => t.rawLive.some((i) => i.title === "both"), "live copy of 'both'");
      expect(t.received.map((i) => i.title)).toEqual(["one"]); // held back while catching up
    });
    t.gate.open();
    await t.changed.until(() => t.received.length === 3, "catch-up done");
    server.createItem("later");
    await t.changed.until(() => t.received.length === 4, "the later live item");
    expect(t.titles()).toEqual(["one", "missed", "both", "later"]);
  });

  it("follows catch-up pages until hasMore is false", async () => {
    const t = setup({ limit: 2 });
    await server.changed.until(() => server.subscriberCount() === 1, "live subscription");
    server.createItem("a");
    await t.changed.until(() => t.received.length === 1, "first item");
    const firstCursor = t.feed.cursor();
    t.wx.dropSockets();
    await t.gate.changed.until(() => t.gate.calls.length === 1, "reconnect to be scheduled");
    await server.changed.until(() => server.subscriberCount() === 0, "server to notice the drop");
    for (const title of ["b", "c", "d", "e", "f"]) server.createItem(title);
    t.gate.open();
    await t.changed.until(() => t.received.length === 6, "all pages");
    expect(t.titles()).toEqual(["a", "b", "c", "d", "e", "f"]);
    expect(t.catchUps).toEqual([firstCursor, Number(firstCursor) + 2, Number(firstCursor) + 4]);
  });
});

/** Lets pending promise callbacks run (one macrotask turn; no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A hand-driven live source for unit tests. */
function stubSource<T>() {
  let sink: LiveSink<T> | undefined;
  const listeners = new Set<(info: ConnectedInfo) => void>();
  return {
    live: (s: LiveSink<T>) => {
      sink = s;
      return () => (sink = undefined);
    },
    onConnected: (listener: (info: ConnectedInfo) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    push: (item: T) => sink?.next(item),
    fail: (error: GraphQLResponseError) => sink?.error(error),
    connect: (reconnected: boolean) => {
      for (const l of [...listeners]) l({ reconnected });
    },
    isLive: () => sink !== undefined,
    listenerCount: () => listeners.size,
  };
}

describe("resumableFeed (unit)", () => {
  type T = { seq: number };
  const seq = (...n: number[]) => n.map((s) => ({ seq: s }));

  function start(options: { initialCursor?: Cursor; catchUp?: (after: Cursor | undefined) => Promise<readonly T[]> } = {}) {
    const source = stubSource<T>();
    const got: number[] = [];
    const calls: (Cursor | undefined)[] = [];
    const answers: ReturnType<typeof deferred<readonly T[]>>[] = [];
    const errors: unknown[] = [];
    const feed: ResumableFeed = resumableFeed<T>(
      {
        live: source.live,
        onConnected: source.onConnected,
        catchUp:
          options.catchUp ??
          ((after) => {
            calls.push(after);
            const d = deferred<readonly T[]>();
            answers.push(d);
            return d.promise;
          }),
        cursorOf: (t) => t.seq,
        retryWait: async () => {},
        onCatchUpError: (e) => errors.push(e),
        ...(options.initialCursor === undefined ? {} : { initialCursor: options.initialCursor }),
      },
      { next: (t) => got.push(t.seq), error: (e) => errors.push(e) },
    );
    return { source, got, calls, answers, errors, feed };
  }

  it("does not catch up on a first connection without a cursor", () => {
    const f = start();
    f.source.connect(false);
    f.source.push({ seq: 5 });
    expect(f.calls).toEqual([]);
    expect(f.got).toEqual([5]);
  });

  it("with initialCursor, catches up at start, holds live items, and drops what it already had", async () => {
    const f = start({ initialCursor: 10 });
    expect(f.calls).toEqual([10]);
    f.source.push({ seq: 13 }); // held: catch-up not answered yet
    f.source.push({ seq: 9 }); // at or below the cursor: dropped
    expect(f.got).toEqual([]);
    f.answers[0]?.resolve(seq(12, 11, 13));
    await settle();
    expect(f.got).toEqual([11, 12, 13]);
    f.source.push({ seq: 13 });
    f.source.push({ seq: 14 });
    expect(f.got).toEqual([11, 12, 13, 14]);
  });

  it("runs one more catch-up when a reconnect happens during a catch-up", async () => {
    const f = start();
    f.source.push({ seq: 1 });
    f.source.connect(true);
    f.source.connect(true); // coalesced into one follow-up round
    expect(f.calls).toEqual([1]);
    f.answers[0]?.resolve(seq(2));
    await settle();
    expect(f.calls).toEqual([1, 2]);
    f.answers[1]?.resolve(seq(3));
    await settle();
    expect(f.calls).toEqual([1, 2]);
    expect(f.got).toEqual([1, 2, 3]);
  });

  it("retries a failed catch-up while live items wait, then delivers everything in order", async () => {
    let attempts = 0;
    const f = start({
      catchUp: async () => {
        attempts++;
        if (attempts < 3) throw new Error(`offline ${attempts}`);
        return seq(2, 3);
      },
    });
    f.source.push({ seq: 1 });
    f.source.connect(true);
    f.source.push({ seq: 4 });
    await settle();
    expect(attempts).toBe(3);
    expect(f.errors.map((e) => (e as Error).message)).toEqual(["offline 1", "offline 2"]);
    expect(f.got).toEqual([1, 2, 3, 4]);
  });

  it("resync() catches up on demand and resolves when caught up", async () => {
    const f = start({ catchUp: async (after) => (after === 1 ? seq(2) : []) });
    f.source.push({ seq: 1 });
    await f.feed.resync();
    expect(f.got).toEqual([1, 2]);
    expect(f.feed.cursor()).toBe(2);
  });

  it("ends with the live error and stops listening", () => {
    const f = start();
    const error = new GraphQLResponseError({ errors: [{ message: "gone", extensions: { code: "FORBIDDEN" } }] });
    f.source.fail(error);
    expect(f.errors).toEqual([error]);
    expect(f.source.isLive()).toBe(false);
    expect(f.source.listenerCount()).toBe(0);
  });

  it("ignores a catch-up answer that lands after unsubscribe", async () => {
    const f = start({ initialCursor: 0 });
    f.feed.unsubscribe();
    f.answers[0]?.resolve(seq(1));
    await settle();
    expect(f.got).toEqual([]);
    expect(f.source.isLive()).toBe(false);
  });
});

describe("compareCursors", () => {
  it("orders numbers, bigints and decimal strings numerically, other strings lexicographically", () => {
    expect(compareCursors("9", "10")).toBeLessThan(0);
    expect(compareCursors(10n, "9")).toBeGreaterThan(0);
    expect(compareCursors(3, 3n)).toBe(0);
    expect(compareCursors("9007199254740993", "9007199254740992")).toBeGreaterThan(0);
    expect(compareCursors("b", "a")).toBeGreaterThan(0);
  });
});
