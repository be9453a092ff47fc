/** start()/stop() of a worker that runs a batch job in real time, one run at a time. */
export interface Polling {
  start(): void;
  /** Stops polling and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/** The longest wait between two failed runs (a database away for minutes is polled this often). */
export const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Polls `runOnce` every `intervalMs` in real time (the only place the gateway waits on a timer;
 * tests call runOnce with an injected clock instead). The first run is at start(), or one interval
 * later with `firstRunAfterInterval`. Runs never overlap. A failed run (the database unreachable,
 * a connection lost mid-batch: its transaction rolled back) is logged and retried, the wait
 * doubling with each failure in a row up to `MAX_RETRY_DELAY_MS`; the first run that succeeds
 * again says so and restores the interval. The loop itself never stops on an error.
 */
export function createPolling(
  name: string,
  runOnce: () => Promise<unknown>,
  intervalMs: number,
  log?: (message: string) => void,
  options: { firstRunAfterInterval?: boolean } = {},
): Polling {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  let failures = 0;
  const loop = async () => {
    if (stopped) return;
    let delay = intervalMs;
    try {
      running = runOnce();
      await running;
      if (failures > 0) log?.(`${name}: running again after ${failures} failed run${failures === 1 ? "" : "s"}`);
      failures = 0;
    } catch (err) {
      failures++;
      delay = retryDelay(intervalMs, failures);
      log?.(`${name}: ${(err as Error).message} (failure ${failures} in a row; next try in ${delay} ms)`);
    } finally {
      running = undefined;
      if (!stopped) timer = setTimeout(loop, delay);
    }
  };
  return {
    start() {
      stopped = false;
      if (timer || running) return;
      if (options.firstRunAfterInterval) timer = setTimeout(loop, intervalMs);
      else void loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => {});
    },
  };
}

/** intervalMs after the first failure, then doubling, never above MAX_RETRY_DELAY_MS (or intervalMs when that is longer). */
export function retryDelay(intervalMs: number, failures: number): number {
  return Math.min(intervalMs * 2 ** (failures - 1), Math.max(intervalMs, MAX_RETRY_DELAY_MS));
}
