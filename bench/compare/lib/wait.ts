// Bounded waiting helpers: every loop here ends by a deadline.

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Wait until done() or until progress() has not moved for idleMs, or maxMs passed.
 * Returns why it stopped, so a stall is reported instead of hanging.
 */
export async function waitFor(
  done: () => boolean,
  progress: () => number,
  { idleMs, maxMs }: { idleMs: number; maxMs: number },
): Promise<"done" | "idle" | "timeout"> {
  const start = Date.now();
  let last = progress();
  let lastMoved = Date.now();
  while (!done()) {
    const now = Date.now();
    if (now - start > maxMs) return "timeout";
    const p = progress();
    if (p !== last) {
      last = p;
      lastMoved = now;
    } else if (now - lastMoved > idleMs) return "idle";
    await sleep(10);
  }
  return "done";
}

/** Run fn over items with at most `limit` calls in flight. */
export async function forEachLimit<T>(items: Iterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const it = items[Symbol.iterator]();
  const lane = async () => {
    for (let next = it.next(); !next.done; next = it.next()) await fn(next.value);
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, lane));
}

/**
 * Let the event loop turn. PGlite resolves queries in microtasks only, so a tight
 * query loop would otherwise starve timers and signal handlers (Ctrl-C ignored).
 */
export const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));
