/**
 * A live feed that survives reconnects without losing or repeating items.
 *
 * Items carry a monotonically increasing cursor (the task feed's `seq`). The feed remembers the
 * highest cursor delivered; after every (re)connection it first asks `catchUp(lastCursor)` for
 * what happened while the socket was down, holding back live items meanwhile, then delivers the
 * union in cursor order, each cursor once, and goes back to live delivery.
 *
 * Assumes the gateway publishes a feed's items in cursor order (a high-water mark is what
 * dedupes). Known gap: graphql-ws reports "connected" before the gateway has registered the
 * resent subscription, so an item created in that instant (between the catch-up snapshot and the
 * subscription going live) arrives on the next resync instead; call `resync()` when in doubt
 * (e.g. on the mini-program's `onShow`).
 */
import { exponentialBackoff } from "./backoff.js";
import { GraphQLResponseError, type SoplineClientError } from "./errors.js";
import type { ConnectedInfo, SubscriptionClient } from "./subscriptions.js";
import type { GraphQLOperation, GraphQLResult, Unsubscribe } from "./types.js";

/** A feed position. Numbers, bigints and decimal strings compare numerically. */
export type Cursor = number | bigint | string;

/** One page of catch-up results; `hasMore` asks for the next page after the last item. */
export interface CatchUpPage<T> {
  readonly items: readonly T[];
  readonly hasMore?: boolean;
}

/** Receives items from the live subscription. */
export interface LiveSink<T> {
  next(item: T): void;
  error(error: SoplineClientError): void;
  complete(): void;
}

/** Options for {@link resumableFeed}. */
export interface ResumableFeedOptions<T> {
  /** Starts the live subscription (see {@link liveItems}). */
  live(sink: LiveSink<T>): Unsubscribe;
  /** Connection events (`SubscriptionClient.onConnected`). */
  onConnected(listener: (info: ConnectedInfo) => void): Unsubscribe;
  /** Items with a cursor greater than `afterCursor`, in any order (`undefined`: the caller decides what "from the start" means). */
  catchUp(afterCursor: Cursor | undefined): Promise<readonly T[] | CatchUpPage<T>>;
  cursorOf(item: T): Cursor;
  /**
   * Where to start, typically the highest `seq` of the task list you just loaded. When set, the
   * feed also catches up once at start, closing the gap between that load and the subscription.
   */
  initialCursor?: Cursor;
  /** Cursor order (default {@link compareCursors}). */
  compare?(a: Cursor, b: Cursor): number;
  /** Wait before retrying a failed catch-up (default jittered exponential backoff). */
  retryWait?(attempt: number): Promise<void>;
  /** Told about each failed catch-up attempt (it is retried; live items wait meanwhile). */
  onCatchUpError?(error: unknown, attempt: number): void;
}

/** Receives the feed's items. */
export interface FeedSink<T> {
  next(item: T): void;
  /**
   * The feed ended with an error: the gateway refused it (e.g. `FORBIDDEN`: an API key without
   * `staffId`) or the retry policy gave up. Without it the error is printed with `console.error`,
   * never dropped.
   */
  error?(error: SoplineClientError): void;
  complete?(): void;
}

/** Hands a feed's final error to the sink's `error`, or to `console.error` when it has none. */
export function reportFeedError(sink: { error?(error: SoplineClientError): void }, error: SoplineClientError): void {
  if (sink.error) sink.error(error);
  else console.error("sopline: a live feed ended with an error (pass an `error` handler to handle it):", error);
}

/** A running feed. */
export interface ResumableFeed {
  /** Stop the live subscription and any catch-up. */
  unsubscribe(): void;
  /** Highest cursor delivered so far: persist it to resume after a restart. */
  cursor(): Cursor | undefined;
  /** Catch up now (coalesced with one already running). Resolves when caught up. */
  resync(): Promise<void>;
}

/**
 * Starts a resumable feed.
 *
 * @example
 * const feed = resumableFeed({
 *   ...liveItems(live, { query: TASK_FEED }, (r) => r.data?.taskFeed),
 *   catchUp: async (after) => unwrap(await http.request({ query: TASKS_AFTER, variables: { after } })).tasksAfter,
 *   cursorOf: (task) => task.seq,
 *   initialCursor: maxSeq(loadedTasks),
 * }, { next: (task) => page.addTask(task) });
 */
export function resumableFeed<T>(options: ResumableFeedOptions<T>, sink: FeedSink<T>): ResumableFeed {
  const compare = options.compare ?? compareCursors;
  const retryWait = options.retryWait ?? exponentialBackoff();
  let cursor = options.initialCursor;
  let stopped = false;
  let buffer: T[] | undefined; // defined while catching up: live items wait here
  let running: Promise<void> | undefined;
  let again = false;

  // Delivers items in cursor order, skipping anything at or below the high-water mark.
  function deliver(items: readonly T[]): void {
    const sorted = [...items].sort((a, b) => compare(options.cursorOf(a), options.cursorOf(b)));
    for (const item of sorted) {
      if (stopped) return;
      const c = options.cursorOf(item);
      if (cursor !== undefined && compare(c, cursor) <= 0) continue;
      cursor = c;
      sink.next(item);
    }
  }

  async function catchUpOnce(): Promise<void> {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        for (;;) {
          const result = await options.catchUp(cursor);
          if (stopped) return;
          const page = Array.isArray(result) ? { items: result as readonly T[] } : (result as CatchUpPage<T>);
          const before = cursor;
          deliver(page.items);
          // Stop paging when told to, or when a page moved us nowhere (guards a server loop).
          if (!page.hasMore || page.items.length === 0 || cursor === before) return;
        }
      } catch (error) {
        options.onCatchUpError?.(error, attempt);
        await retryWait(attempt);
      }
    }
  }

  function resync(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true; // another (re)connection happened meanwhile: catch up once more afterwards
      return running;
    }
    buffer ??= [];
    running = (async () => {
      do {
        again = false;
        await catchUpOnce();
      } while (again && !stopped);
      const held = buffer ?? [];
      buffer = undefined;
      deliver(held);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  let stopLive: Unsubscribe | undefined;
  const stopConnected = options.onConnected((info) => {
    // First connection without a cursor: nothing can have been missed yet.
    if (info.reconnected || cursor !== undefined) void resync();
  });
  if (options.initialCursor !== undefined) void resync();
  stopLive = options.live({
    next: (item) => (buffer ? buffer.push(item) : deliver([item])),
    error: (error) => {
      if (stopped) return;
      stop();
      reportFeedError(sink, error);
    },
    complete: () => {
      if (stopped) return;
      stop();
      sink.complete?.();
    },
  });

  function stop(): void {
    stopped = true;
    stopConnected();
    stopLive?.();
  }

  return {
    unsubscribe: () => {
      if (!stopped) stop();
    },
    cursor: () => cursor,
    resync,
  };
}

/**
 * Adapts a subscription operation to `resumableFeed`'s `live` + `onConnected`. `select` picks the
 * item(s) out of each result (return `undefined`/`null` to skip one); a result carrying
 * GraphQL errors ends the feed with a `GraphQLResponseError`.
 */
export function liveItems<T, TData = Record<string, unknown>>(
  client: Pick<SubscriptionClient, "subscribe" | "onConnected">,
  operation: GraphQLOperation,
  select: (result: GraphQLResult<TData>) => T | readonly T[] | null | undefined,
): Pick<ResumableFeedOptions<T>, "live" | "onConnected"> {
  return {
    onConnected: (listener) => client.onConnected(listener),
    live: (sink) => {
      let stop: Unsubscribe | undefined;
      let ended = false;
      stop = client.subscribe<TData>(operation, {
        next: (result) => {
          if (ended) return;
          if (result.errors && result.errors.length > 0) {
            ended = true;
            stop?.();
            sink.error(new GraphQLResponseError({ errors: result.errors, data: result.data }));
            return;
          }
          const picked = select(result);
          if (picked === null || picked === undefined) return;
          for (const item of Array.isArray(picked) ? (picked as readonly T[]) : [picked as T]) sink.next(item);
        },
        error: (error) => !ended && sink.error(error),
        complete: () => !ended && sink.complete(),
      });
      return () => {
        ended = true;
        stop?.();
      };
    },
  };
}

/**
 * Default cursor order: numeric for numbers, bigints and decimal strings; lexicographic otherwise.
 * Decimal strings compare digit by digit, without `BigInt`: older WeChat base libraries lack it,
 * and a task's `seq` (a PostgreSQL bigint, sent as a string) may exceed 2^53.
 */
export function compareCursors(a: Cursor, b: Cursor): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = toDecimal(a);
  const y = toDecimal(b);
  if (x !== undefined && y !== undefined) return compareDecimals(x, y);
  const s = String(a);
  const t = String(b);
  return s < t ? -1 : s > t ? 1 : 0;
}

/** A decimal integer as its sign and digits without leading zeros ("-0" is "0"), or undefined. */
function toDecimal(value: Cursor): { negative: boolean; digits: string } | undefined {
  // A bigint exists only where BigInt does; integral numbers print without an exponent below 1e21.
  const text = typeof value === "number" ? (Number.isInteger(value) && Math.abs(value) < 1e21 ? String(value) : "") : String(value);
  const match = /^(-?)0*(\d+)$/.exec(text);
  if (!match) return undefined;
  const digits = match[2]!;
  return { negative: match[1] === "-" && digits !== "0", digits };
}

function compareDecimals(x: { negative: boolean; digits: string }, y: { negative: boolean; digits: string }): number {
  if (x.negative !== y.negative) return x.negative ? -1 : 1;
  const magnitude = x.digits.length !== y.digits.length ? x.digits.length - y.digits.length : x.digits < y.digits ? -1 : x.digits > y.digits ? 1 : 0;
  return Math.sign(x.negative ? -magnitude : magnitude);
}
