import { exponentialBackoff } from "../../src/index.js";
import { createSignal, deferred, type Deferred, type Signal } from "./signal.js";

/**
 * The client's real backoff policy (exponentialBackoff, jitter pinned with random 0.5) whose
 * sleep is held until the test releases it: the test sees every delay the policy chose and
 * decides when the reconnect happens. No timers, no sleeps.
 */
export interface BackoffGate {
  retryWait(attempt: number): Promise<void>;
  /** Delays (ms) the policy asked for, in order. */
  delays: number[];
  /** Ends the oldest waiting sleep. */
  release(): void;
  changed: Signal;
}

export function backoffGate(): BackoffGate {
  const changed = createSignal();
  const waiting: Deferred[] = [];
  const gate: BackoffGate = {
    delays: [],
    changed,
    retryWait: exponentialBackoff({
      random: () => 0.5,
      sleep: (ms) => {
        gate.delays.push(ms);
        const d = deferred();
        waiting.push(d);
        changed.notify();
        return d.promise;
      },
    }),
    release: () => waiting.shift()?.resolve(),
  };
  return gate;
}
