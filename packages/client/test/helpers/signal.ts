/** Event-driven waiting for tests: no sleeps, just "tell me when this becomes true". */
export interface Signal {
  /** Re-check every pending `until`. Call after anything a test might wait for changes. */
  notify(): void;
  /** Resolves once `predicate()` is true; rejects after `timeoutMs` with `label` so a hang is readable. */
  until(predicate: () => boolean, label: string, timeoutMs?: number): Promise<void>;
}

export function createSignal(): Signal {
  const waiters = new Set<() => void>();
  return {
    notify: () => {
      for (const check of [...waiters]) check();
    },
    until: (predicate, label, timeoutMs = 5_000) =>
      new Promise<void>((resolve, reject) => {
        if (predicate()) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for: ${label}`));
        }, timeoutMs);
        const check = () => {
          if (!predicate()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      }),
  };
}

/** A promise with its resolve function outside. */
export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
