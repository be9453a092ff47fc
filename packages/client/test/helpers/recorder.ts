import { graphql, type SoplineClient } from "../../src/index.js";
import { createSignal, type Signal } from "./signal.js";

/** A sink that records what arrives and lets a test wait for it (no sleeps). */
export interface Recorder<T> {
  items: T[];
  errors: unknown[];
  changed: Signal;
  next(item: T): void;
  error(error: unknown): void;
  /** Resolves once `predicate(items)` holds. */
  until(predicate: (items: T[]) => boolean, label: string, timeoutMs?: number): Promise<void>;
}

export function recorder<T>(): Recorder<T> {
  const changed = createSignal();
  const r: Recorder<T> = {
    items: [],
    errors: [],
    changed,
    next: (item) => {
      r.items.push(item);
      changed.notify();
    },
    error: (error) => {
      r.errors.push(error);
      changed.notify();
    },
    until: (predicate, label, timeoutMs = 10_000) => changed.until(() => predicate(r.items), label, timeoutMs),
  };
  return r;
}

/**
 * Resolves once the gateway has answered a query sent on `client`'s socket after everything
 * before it: subscriptions started earlier are then registered (graphql-ws handles a socket's
 * messages in order), so a task created next reaches them live.
 */
export function settle(client: SoplineClient): Promise<void> {
  return new Promise((resolve, reject) => {
    // Resolve on complete: unsubscribing from inside next() would release graphql-ws's lock twice.
    client.subscribe(SettleQuery, {}, { next: () => {}, complete: resolve, error: reject });
  });
}

const SettleQuery = graphql(`query Settle { __typename }`);
