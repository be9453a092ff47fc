// However many consoles watch a workspace's board and however many changes a second brings, the
// board is recomputed at most once per interval per workspace and the one result is handed to
// every watcher (each cuts its own view from it). Timers are injected so tests need no sleeps.
import { type LivePubSub, boardTopic } from "./pubsub.js";

export interface CoalescerTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const REAL_TIMERS: CoalescerTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface BoardCoalescerOptions<S> {
  pubsub: LivePubSub;
  /** Computes the workspace's board once for all its watchers. */
  load(workspaceId: string): Promise<S>;
  /** At most one load per this many ms per workspace (default 1,000). */
  intervalMs?: number;
  timers?: CoalescerTimers;
  log?: (message: string) => void;
}

export interface BoardCoalescer<S> {
  /** The workspace's boards from the next change on; the iterator's return() stops watching. */
  watch(workspaceId: string): AsyncIterableIterator<S>;
  /** Loads so far (all workspaces): what the benchmark reports as recomputes. */
  recomputes(): number;
  /** Workspaces with at least one watcher. */
  watched(): number;
}

interface WorkspaceState<S> {
  watchers: Set<(board: S) => void>;
  timer: unknown;
  lastRun: number;
  running: boolean;
  dirty: boolean;
  stop: () => void;
}

/**
 * @example
 * const boards = createBoardCoalescer({ pubsub, load: (ws) => loadBoardSnapshot(db, { workspaceId: ws, now: clock() }) });
 * for await (const snapshot of boards.watch(workspaceId)) console.log(viewBoard(snapshot, { staffId }));
 */
export function createBoardCoalescer<S>(options: BoardCoalescerOptions<S>): BoardCoalescer<S> {
  const interval = options.intervalMs ?? 1_000;
  const timers = options.timers ?? REAL_TIMERS;
  const workspaces = new Map<string, WorkspaceState<S>>();
  let loads = 0;

  function schedule(id: string, st: WorkspaceState<S>): void {
    if (st.timer !== null || st.running || !st.dirty) return;
    const delay = Math.max(0, st.lastRun + interval - timers.now());
    st.timer = timers.setTimeout(() => {
      st.timer = null;
      void run(id, st);
    }, delay);
  }

  async function run(id: string, st: WorkspaceState<S>): Promise<void> {
    if (!st.dirty || st.watchers.size === 0) return;
    st.dirty = false;
    st.running = true;
    st.lastRun = timers.now();
    loads++;
    try {
      const board = await options.load(id);
      for (const w of st.watchers) w(board);
    } catch (err) {
      options.log?.(`live board of workspace ${id} not recomputed: ${(err as Error).message}`);
    } finally {
      st.running = false;
      // Changes that came in while loading: one more load, an interval after this one started.
      if (workspaces.get(id) === st) schedule(id, st);
    }
  }

  function start(id: string): WorkspaceState<S> {
    const source = options.pubsub.subscribe(boardTopic(id))[Symbol.asyncIterator]();
    const st: WorkspaceState<S> = { watchers: new Set(), timer: null, lastRun: -Infinity, running: false, dirty: false, stop: () => void source.return?.() };
    void (async () => {
      for (;;) {
        const next = await source.next();
        if (next.done) return;
        const p = next.value as { workspaceId?: string };
        if (p.workspaceId !== id) continue;
        st.dirty = true;
        schedule(id, st);
      }
    })().catch((err: unknown) => options.log?.(`live board of workspace ${id}: ${(err as Error).message}`));
    return st;
  }

  return {
    watch(workspaceId) {
      let st = workspaces.get(workspaceId);
      if (!st) workspaces.set(workspaceId, (st = start(workspaceId)));
      const state = st;
      // Only the newest board waits for a slow reader: older ones are of no use to it.
      let latest: { board: S } | null = null;
      let waiting: ((r: IteratorResult<S>) => void) | null = null;
      let done = false;
      const push = (board: S) => {
        if (waiting) {
          const w = waiting;
          waiting = null;
          w({ value: board, done: false });
        } else latest = { board };
      };
      state.watchers.add(push);
      const iterator: AsyncIterableIterator<S> = {
        next() {
          if (latest) {
            const { board } = latest;
            latest = null;
            return Promise.resolve({ value: board, done: false });
          }
          if (done) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => (waiting = resolve));
        },
        return() {
          if (!done) {
            done = true;
            state.watchers.delete(push);
            if (state.watchers.size === 0 && workspaces.get(workspaceId) === state) {
              workspaces.delete(workspaceId);
              if (state.timer !== null) timers.clearTimeout(state.timer);
              state.stop();
            }
          }
          const w = waiting;
          waiting = null;
          w?.({ value: undefined, done: true });
          return Promise.resolve({ value: undefined, done: true });
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
    recomputes: () => loads,
    watched: () => workspaces.size,
  };
}
