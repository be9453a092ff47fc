/**
 * The staff member's task feed: the `myTaskFeed` subscription made resumable with `tasksSince`.
 *
 * Only CREATED items advance the cursor (a task's `seq` is fixed at creation, UPDATED / REMOVED
 * notices repeat it), so those go through `resumableFeed`'s catch-up and dedupe; UPDATED and
 * REMOVED notices are passed straight through. A task handed over to this staff member keeps
 * its old, possibly lower, seq: it is delivered once by id rather than dropped by the cursor.
 *
 * graphql-ws reports "connected" before the gateway has registered the (re)sent subscription, so
 * a task created in that instant would be in neither the catch-up nor the live stream. The feed
 * therefore catches up once more `settleMs` after every connection, when the subscription is live.
 */
import type { TaskFeedItem, TaskNotice } from "../operations/tasks.js";
import { compareCursors, liveItems, resumableFeed, type FeedSink, type ResumableFeed } from "../transport/resumable-feed.js";
import type { SubscriptionClient } from "../transport/subscriptions.js";
import type { TimerLike } from "../transport/fetch-transport.js";
import type { GraphQLOperation } from "../transport/types.js";

/** Options of `client.taskFeed()`. */
export interface TaskFeedOptions {
  /**
   * The largest `seq` you already have (e.g. `maxSeq(await client.tasks())`): the feed first catches
   * up from there, closing the gap between your load and the subscription. Without it, catch-up
   * starts after the first item received (a reconnect before any item cannot know what it missed).
   */
  initialCursor?: string;
  /** With an API key: whose feed (a staff token always gets its own). */
  staffId?: string;
  /** Wait before retrying a failed catch-up (default: jittered exponential backoff). */
  retryWait?(attempt: number): Promise<void>;
  /** Told about each failed catch-up attempt (it is retried). */
  onCatchUpError?(error: unknown, attempt: number): void;
  /** Delay of the second catch-up after each connection (default 1 500 ms; `0` turns it off). */
  settleMs?: number;
  /** Timers for `settleMs` (default the global ones). */
  timer?: TimerLike;
}

/** What the task feed needs from the client. */
export interface TaskFeedDeps {
  live: Pick<SubscriptionClient, "subscribe" | "onConnected">;
  feedOperation: GraphQLOperation;
  /** `tasksSince(seq)` for this feed, at most `first` tasks. */
  tasksSince(seq: string, first: number): Promise<readonly TaskNotice[]>;
}

const PAGE = 500; // the gateway's tasksSince maximum

/**
 * Starts the feed. Items are upserts keyed by `task.id`: apply them idempotently.
 *
 * @example
 * const feed = startTaskFeed(deps, { next: ({ change, task }) => upsert(task) }, { initialCursor: maxSeq(tasks) });
 */
export function startTaskFeed(deps: TaskFeedDeps, sink: FeedSink<TaskFeedItem>, options: TaskFeedOptions = {}): ResumableFeed {
  const created = new Set<string>(); // ids delivered as CREATED, to recognise handed-over tasks
  const deliver = (item: TaskFeedItem) => {
    if (item.change === "CREATED") created.add(item.task.id);
    sink.next(item);
  };
  const base = liveItems<TaskFeedItem, { myTaskFeed: TaskFeedItem }>(deps.live, deps.feedOperation, (r) => r.data?.myTaskFeed);
  let feed: ResumableFeed | undefined;
  feed = resumableFeed<TaskFeedItem>(
    {
      onConnected: base.onConnected,
      live: (liveSink) =>
        base.live({
          next: (item) => {
            if (item.change !== "CREATED") return deliver(item);
            const cursor = feed?.cursor();
            if (cursor !== undefined && compareCursors(item.task.seq, cursor) <= 0) {
              if (!created.has(item.task.id)) deliver(item); // handed over: old seq, new to us
              return;
            }
            liveSink.next(item);
          },
          error: (e) => liveSink.error(e),
          complete: () => liveSink.complete(),
        }),
      catchUp: async (after) => {
        if (after === undefined) return [];
        const tasks = await deps.tasksSince(String(after), PAGE);
        return { items: tasks.map((task): TaskFeedItem => ({ change: "CREATED", task })), hasMore: tasks.length === PAGE };
      },
      cursorOf: (item) => item.task.seq,
      ...(options.initialCursor === undefined ? {} : { initialCursor: options.initialCursor }),
      ...(options.retryWait ? { retryWait: options.retryWait } : {}),
      ...(options.onCatchUpError ? { onCatchUpError: options.onCatchUpError } : {}),
    },
    { next: deliver, ...(sink.error ? { error: sink.error } : {}), ...(sink.complete ? { complete: sink.complete } : {}) },
  );
  const settleMs = options.settleMs ?? 1_500;
  if (settleMs <= 0) return feed;
  const timer = options.timer ?? { setTimeout: (run: () => void, ms: number) => setTimeout(run, ms), clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>) };
  let pending: unknown;
  const stopConnected = deps.live.onConnected(() => {
    if (pending !== undefined) timer.clearTimeout(pending);
    pending = timer.setTimeout(() => {
      pending = undefined;
      void feed?.resync();
    }, settleMs);
  });
  const running = feed;
  return {
    ...running,
    unsubscribe: () => {
      stopConnected();
      if (pending !== undefined) timer.clearTimeout(pending);
      running.unsubscribe();
    },
  };
}

/**
 * The largest `seq` among `tasks` (as `taskFeed({ initialCursor })` wants it), or `"0"` when there are none.
 *
 * @example
 * const { tasks } = await client.tasks({ status: "OPEN" });
 * client.taskFeed(sink, { initialCursor: maxSeq(tasks) });
 */
export function maxSeq(tasks: readonly { readonly seq: string }[]): string {
  let max = "0";
  for (const t of tasks) if (compareCursors(t.seq, max) > 0) max = t.seq;
  return max;
}
