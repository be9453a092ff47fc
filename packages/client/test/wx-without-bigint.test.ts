// Issue 13, point 6: the mini-program bundle on older WeChat base libraries. The BUILT entry
// (dist/wx.js, bundled with its dependencies as a mini-program project would) runs in a fresh
// `node:vm` context without `BigInt` and without any global `wx`; a scripted `wx` is passed in and
// answers wx.request and wx.connectSocket (graphql-ws) itself. Task seqs beyond 2^53 must keep
// their order: a cursor compared as a Number would merge …995 and …996.
import vm from "node:vm";
import { build } from "esbuild";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { compareCursors } from "../src/transport/resumable-feed.js";
import { createSignal } from "./helpers/signal.js";

interface Notice {
  id: string;
  seq: string;
}
type Listener = (result: never) => void;

/** The built wx entry and its dependencies as one script defining `sopline` (ES2018: no BigInt literals either). */
async function wxBundle(): Promise<string> {
  const result = await build({
    stdin: { contents: `export * from "./dist/wx.js";`, resolveDir: new URL("..", import.meta.url).pathname, loader: "js" },
    bundle: true,
    format: "iife",
    globalName: "sopline",
    target: "es2018",
    platform: "neutral",
    mainFields: ["browser", "module", "main"],
    conditions: ["browser", "import", "default"],
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/** A context like an old base library: the language's built-ins minus BigInt, timers, no `wx`. */
function oldBaseLibrary(bundle: string) {
  const context = vm.createContext({ setTimeout, clearTimeout, console });
  vm.runInContext("delete globalThis.BigInt;", context);
  vm.runInContext(bundle, context);
  const inside = vm.runInContext("({ bigint: typeof BigInt, wx: typeof wx, JSON })", context) as { bigint: string; wx: string; JSON: JSON };
  return { context, sopline: vm.runInContext("sopline", context) as Record<string, (...args: never[]) => unknown>, inside };
}

/**
 * A `wx` that serves the gateway's side in the test: GraphQL over wx.request from `tasks`, and a
 * graphql-ws server over wx.connectSocket whose subscription the test feeds with `push`.
 */
function scriptedWx(toContext: (value: unknown) => unknown) {
  const changed = createSignal();
  const tasks: Notice[] = [];
  const catchUps: string[] = [];
  let socket: { message(data: unknown): void; close(code: number): void; subscription?: string } | undefined;
  let connections = 0;
  const wx = {
    request(option: { data: unknown; success(result: unknown): void }) {
      const body = (typeof option.data === "string" ? JSON.parse(option.data) : option.data) as { query: string; variables?: { seq?: string } };
      let data: unknown;
      if (body.query.includes("tasksSince")) {
        const after = body.variables!.seq!;
        catchUps.push(after);
        data = { tasksSince: tasks.filter((t) => BigInt(t.seq) > BigInt(after)).map(notice) };
      } else data = { viewer: { kind: "STAFF" } };
      setTimeout(() => {
        option.success(toContext({ statusCode: 200, data: { data }, header: { "Content-Type": "application/json" }, errMsg: "request:ok" }) as never);
        changed.notify();
      });
      return { abort() {} };
    },
    connectSocket() {
      connections++;
      const on: Record<string, Listener> = {};
      const emit = (event: string, result: unknown) => setTimeout(() => on[event]?.(toContext(result) as never));
      const end: NonNullable<typeof socket> = {
        message: (data) => emit("message", { data: JSON.stringify(data) }),
        close: (code) => emit("close", { code, reason: "" }),
      };
      socket = end;
      emit("open", {});
      return {
        onOpen: (l: Listener) => void (on.open = l),
        onMessage: (l: Listener) => void (on.message = l),
        onClose: (l: Listener) => void (on.close = l),
        onError: (l: Listener) => void (on.error = l),
        send({ data }: { data: string }) {
          const message = JSON.parse(data) as { type: string; id?: string };
          if (message.type === "connection_init") end.message({ type: "connection_ack" });
          if (message.type === "ping") end.message({ type: "pong" });
          if (message.type === "subscribe") end.subscription = message.id;
          changed.notify();
        },
        close: ({ code }: { code?: number }) => end.close(code ?? 1000),
      };
    },
  };
  const notice = (t: Notice) => ({ ...t, title: `task ${t.seq}`, kind: "CHAT", channel: "PRIVATE_CHAT", content: "c", dueAt: "2026-12-05T00:00:00.000Z", status: "OPEN", customerId: "c1", staffId: "s1" });
  return {
    wx,
    changed,
    catchUps,
    connections: () => connections,
    subscribed: () => socket?.subscription !== undefined,
    /** A task the gateway created: stored for catch-up, and sent live when `live`. */
    create(seq: string, live: boolean) {
      tasks.push({ id: `t${seq}`, seq });
      if (live) socket!.message({ id: socket!.subscription, type: "next", payload: { data: { myTaskFeed: { change: "CREATED", task: notice({ id: `t${seq}`, seq }) } } } });
    },
    /** Sends a task the feed has already seen, as a gateway may after a reconnect. */
    repeat(seq: string) {
      socket!.message({ id: socket!.subscription, type: "next", payload: { data: { myTaskFeed: { change: "CREATED", task: notice({ id: `t${seq}`, seq }) } } } });
    },
    /** The network drops the socket without a close frame. */
    drop() {
      const dead = socket!;
      socket = undefined;
      dead.close(1006);
    },
  };
}

describe("@sopline/client/wx without BigInt and without a global wx (built bundle in node:vm)", () => {
  let bundle: string;
  beforeAll(async () => {
    bundle = await wxBundle();
  });

  it("runs in a context that really lacks both", () => {
    const { inside } = oldBaseLibrary(bundle);
    expect(inside).toMatchObject({ bigint: "undefined", wx: "undefined" });
  });

  it("sends a request and resumes the task feed across a reconnect with seqs beyond 2^53", async () => {
    const { sopline, inside } = oldBaseLibrary(bundle);
    const fake = scriptedWx((value) => inside.JSON.parse(JSON.stringify(value)));
    const client = sopline.createWxClient!({ url: "https://sopline.example.com/graphql", token: "staff-token", wx: fake.wx, retryWait: async () => {} } as never) as {
      request(document: unknown): Promise<{ viewer: { kind: string } }>;
      taskFeed(sink: unknown, options: unknown): { unsubscribe(): void; cursor(): unknown };
      dispose(): void;
    };
    const Viewer = sopline.graphql!("query Viewer { viewer { kind } }" as never);
    expect((await client.request(Viewer)).viewer.kind).toBe("STAFF");

    const seqs: string[] = [];
    const feed = client.taskFeed({ next: (item: { task: Notice }) => (seqs.push(item.task.seq), fake.changed.notify()), error: (e: unknown) => console.error(e) }, { initialCursor: "9007199254740993", settleMs: 0 });
    fake.create("9007199254740993", false); // what the app loaded already
    fake.create("9007199254740994", false); // created before the feed connected: comes by catch-up
    fake.create("9007199254740995", false);
    await fake.changed.until(() => seqs.length === 2 && fake.subscribed(), "the catch-up and the subscription");
    fake.repeat("9007199254740995"); // seen by catch-up: dropped
    fake.create("9007199254740996", true); // as a Number it equals …995
    fake.create("123456789012345678901234567890", true);
    await fake.changed.until(() => seqs.length === 4, "the live tasks");

    fake.drop();
    fake.create("123456789012345678901234567891", false); // while disconnected
    await fake.changed.until(() => seqs.length === 5, "the task created while disconnected");
    expect(seqs).toEqual(["9007199254740994", "9007199254740995", "9007199254740996", "123456789012345678901234567890", "123456789012345678901234567891"]);
    // From the app's cursor first; after the reconnect, from the highest seq delivered.
    expect([fake.catchUps[0], fake.catchUps.at(-1)]).toEqual(["9007199254740993", "123456789012345678901234567890"]);
    expect(fake.connections()).toBe(2);
    expect(feed.cursor()).toBe("123456789012345678901234567891");
    feed.unsubscribe();
    client.dispose();
  });
});

describe("compareCursors without BigInt", () => {
  it("orders decimal strings, numbers and bigints as BigInt would", () => {
    const decimal = fc.oneof(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.bigInt({ min: 0n, max: 2n ** 64n }));
    const asCursor = (value: bigint, form: number, zeros: number) =>
      form === 0 ? value : form === 1 && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : (value < 0n ? "-" : "") + "0".repeat(zeros) + (value < 0n ? -value : value).toString();
    fc.assert(
      fc.property(decimal, decimal, fc.nat(2), fc.nat(2), fc.nat(3), fc.nat(3), (a, b, fa, fb, za, zb) => {
        expect(Math.sign(compareCursors(asCursor(a, fa, za), asCursor(b, fb, zb)))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });
});
