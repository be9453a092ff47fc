import type { GraphQLResult, ResultSink, SoplineClientError } from "../../src/transport/index.js";
import { createSignal, deferred, type Deferred, type Signal } from "./signal.js";

/** A ResultSink that records everything and lets the test wait for it. */
export interface Collector<T> extends ResultSink<T> {
  results: GraphQLResult<T>[];
  errors: SoplineClientError[];
  completed: boolean;
  changed: Signal;
}

export function collector<T>(): Collector<T> {
  const changed = createSignal();
  const c: Collector<T> = {
    results: [],
    errors: [],
    completed: false,
    changed,
    next: (result) => {
      c.results.push(result);
      changed.notify();
    },
    error: (error) => {
      c.errors.push(error);
      changed.notify();
    },
    complete: () => {
      c.completed = true;
      changed.notify();
    },
  };
  return c;
}

/** A `retryWait` that records each call and holds it until the test opens the gate. */
export interface RetryGate {
  retryWait(retries: number): Promise<void>;
  /** Every `retries` argument seen, in order. */
  calls: number[];
  /** Lets every waiting retry (and only those) proceed. */
  open(): void;
  changed: Signal;
}

export function retryGate(): RetryGate {
  const changed = createSignal();
  let gate: Deferred = deferred();
  const g: RetryGate = {
    calls: [],
    changed,
    retryWait: (retries) => {
      g.calls.push(retries);
      changed.notify();
      return gate.promise;
    },
    open: () => {
      gate.resolve();
      gate = deferred();
    },
  };
  return g;
}
