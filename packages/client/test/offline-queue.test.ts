import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEventReporter, type QueuedEvent } from "../src/offline-queue.js";
import { memoryStorage, wxStorage } from "../src/storage.js";
import { createFakeWx } from "../src/testing/fake-wx.js";
import {
  createFetchTransport,
  createWxRequestTransport,
  NetworkError,
  SoplineClientError,
  unwrap,
  wxOnlineSignal,
  type RequestTransport,
} from "../src/transport/index.js";
import { retryGate } from "./helpers/collect.js";
import { deferred } from "./helpers/signal.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

type AppEvent = { type: string };
const REPORT = "mutation ($events: [EventInput!]!) { reportEvents(events: $events) }";
const T0 = Date.parse("2025-03-01T08:00:00.000Z");

/** Lets pending promise callbacks run (one macrotask turn; no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `send` for the test schema: one reportEvents mutation per batch. */
function sendVia(http: RequestTransport) {
  return async (batch: readonly QueuedEvent<AppEvent>[]) =>
    unwrap(await http.request({ query: REPORT, variables: { events: batch.map(({ id, type, occurredAt }) => ({ id, type, occurredAt })) } }));
}

describe("createEventReporter against a real server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("queues while offline, survives a restart, and delivers once, in order, when back online", async () => {
    server.events.length = 0;
    server.batches.length = 0;
    const wx = createFakeWx({ online: false });
    const http = createWxRequestTransport({ wx, url: server.url });
    let clock = T0;
    let n = 0;
    const open = () =>
      createEventReporter<AppEvent>({
        send: sendVia(http),
        storage: wxStorage(wx),
        onlineSignal: wxOnlineSignal(wx),
        now: () => clock,
        idFactory: () => `e${++n}`,
        batchSize: 2,
      });

    const first = open();
    first.report({ type: "task.viewed" });
    clock += 1_000;
    first.report({ type: "task.started" });
    const offline = await first.flush();
    expect(offline.sent).toBe(0);
    expect(offline.pending).toBe(2);
    expect(offline.error).toBeInstanceOf(NetworkError);
    expect(server.batches).toEqual([]);

    first.dispose(); // the mini-program is killed while offline
    const second = open(); // ... and launched again
    expect(second.pending().map((e) => [e.id, e.type, e.occurredAt])).toEqual([
      ["e1", "task.viewed", "2025-03-01T08:00:00.000Z"],
      ["e2", "task.started", "2025-03-01T08:00:01.000Z"],
    ]);
    clock += 1_000;
    second.report({ type: "task.completed" });

    wx.setOnline(true); // wx.onNetworkStatusChange fires; the reporter flushes
    const result = await second.flush(); // joins that flush
    expect(result.error).toBeUndefined();
    expect(server.events.map((e) => [e.id, e.type])).toEqual([
      ["e1", "task.viewed"],
      ["e2", "task.started"],
      ["e3", "task.completed"],
    ]);
    expect(server.batches).toEqual([["e1", "e2"], ["e3"]]);
    expect(second.pending()).toEqual([]);
    expect(wx.getStorageSync("sopline.eventQueue.v1")).toBe(JSON.stringify({ v: 1, events: [] }));
    second.dispose();
  });

  it("resends a batch whose response was lost; the gateway's id dedupe keeps delivery single", async () => {
    server.events.length = 0;
    server.batches.length = 0;
    const http = createFetchTransport({ url: server.url });
    let loseNext = true;
    const reporter = createEventReporter<AppEvent>({
      send: async (batch) => {
        await sendVia(http)(batch);
        if (loseNext) {
          loseNext = false;
          throw new NetworkError({ kind: "timeout", message: "response lost after the gateway applied it" });
        }
      },
      storage: memoryStorage(),
      autoFlush: false,
    });
    const a = reporter.report({ type: "a" });
    const b = reporter.report({ type: "b" });
    expect((await reporter.flush()).error).toBeInstanceOf(NetworkError);
    expect(reporter.pending()).toHaveLength(2);
    expect(await reporter.flush()).toEqual({ sent: 2, pending: 0 });
    expect(server.batches).toEqual([
      [a.id, b.id],
      [a.id, b.id],
    ]);
    expect(server.events.map((e) => e.type)).toEqual(["a", "b"]);
  });
});

describe("createEventReporter (unit)", () => {
  function scripted(outcomes: ("ok" | "fail")[]) {
    const attempts: string[][] = [];
    const accepted: string[][] = [];
    return {
      attempts,
      accepted,
      send: async (batch: readonly QueuedEvent<AppEvent>[]) => {
        const ids = batch.map((e) => e.type);
        attempts.push(ids);
        if ((outcomes.shift() ?? "ok") === "fail") throw new Error("network down");
        accepted.push(ids);
      },
    };
  }

  it("keeps order across a failure in the middle and never accepts an event twice", async () => {
    const s = scripted(["ok", "fail"]);
    const reporter = createEventReporter<AppEvent>({ send: s.send, storage: memoryStorage(), batchSize: 2, autoFlush: false });
    for (const type of ["a", "b", "c", "d", "e"]) reporter.report({ type });
    expect(await reporter.flush()).toMatchObject({ sent: 2, pending: 3 });
    expect(reporter.pending().map((e) => e.type)).toEqual(["c", "d", "e"]);
    expect(await reporter.flush()).toEqual({ sent: 3, pending: 0 });
    expect(s.attempts).toEqual([["a", "b"], ["c", "d"], ["c", "d"], ["e"]]);
    expect(s.accepted.flat()).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("sends events reported during an in-flight send after it, in a later batch", async () => {
    const gate = deferred();
    const batches: string[][] = [];
    const reporter = createEventReporter<AppEvent>({
      send: async (batch) => {
        batches.push(batch.map((e) => e.type));
        if (batches.length === 1) await gate.promise;
      },
      storage: memoryStorage(),
    });
    reporter.report({ type: "a" });
    const flushing = reporter.flush();
    await settle(); // the first send is now in flight, holding ["a"]
    expect(batches).toEqual([["a"]]);
    reporter.report({ type: "b" }); // joins the running flush
    expect(reporter.flush()).toBe(flushing);
    gate.resolve();
    expect(await flushing).toEqual({ sent: 2, pending: 0 });
    expect(batches).toEqual([["a"], ["b"]]);
  });

  it("retries by itself through an injected retryWait", async () => {
    const s = scripted(["fail", "ok"]);
    const gate = retryGate();
    const errors: unknown[] = [];
    const reporter = createEventReporter<AppEvent>({
      send: s.send,
      storage: memoryStorage(),
      retryWait: gate.retryWait,
      onError: (e) => errors.push(e),
    });
    reporter.report({ type: "a" });
    await gate.changed.until(() => gate.calls.length === 1, "a retry to be scheduled");
    expect(errors).toHaveLength(1);
    gate.open();
    await settle();
    expect(s.accepted).toEqual([["a"]]);
    expect(reporter.pending()).toEqual([]);
    expect(gate.calls).toEqual([0]);
  });

  it("assigns ids and timestamps only when missing", () => {
    const reporter = createEventReporter<AppEvent>({ send: async () => {}, storage: memoryStorage(), autoFlush: false, now: () => T0 });
    const mine = reporter.report({ type: "x", id: "given", occurredAt: "2024-12-31T23:59:59.000Z" });
    const generated = reporter.report({ type: "y" });
    expect(mine).toEqual({ type: "x", id: "given", occurredAt: "2024-12-31T23:59:59.000Z" });
    expect(generated.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.occurredAt).toBe("2025-03-01T08:00:00.000Z");
  });

  it("refuses an event the storage cannot hold, instead of pretending it was queued", () => {
    const wx = createFakeWx();
    const reporter = createEventReporter<AppEvent & { blob?: string }>({ send: async () => {}, storage: wxStorage(wx), autoFlush: false });
    expect(() => reporter.report({ type: "huge", blob: "x".repeat(1024 * 1024) })).toThrow(SoplineClientError);
    expect(reporter.pending()).toEqual([]);
    expect(() => reporter.report({ type: "small" })).not.toThrow();
  });

  it("refuses to start over a corrupt queue rather than silently dropping it", () => {
    const storage = memoryStorage(new Map([["sopline.eventQueue.v1", "not json"]]));
    expect(() => createEventReporter({ send: async () => {}, storage })).toThrow(
      'Expected the event queue at storage key "sopline.eventQueue.v1" to be {"v":1,"events":[…]}, got "not json"',
    );
  });
});
