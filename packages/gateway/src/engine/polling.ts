/** start()/stop() of a worker that runs a batch job in real time, one run at a time. */
export interface Polling {
  start(): void;
  /** Stops polling and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Polls `runOnce` every `intervalMs` in real time (the only place the gateway waits on a timer;
 * tests call runOnce with an injected clock instead). The first run is at start(), or one interval
 * later with `firstRunAfterInterval`. A failed run is logged and retried at the next tick; runs
 * never overlap.
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
  const loop = async () => {
    if (stopped) return;
    try {
      running = runOnce();
      await running;
    } catch (err) {
      log?.(`${name}: ${(err as Error).message}`);
    } finally {
      running = undefined;
      if (!stopped) timer = setTimeout(loop, intervalMs);
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
