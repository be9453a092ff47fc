import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";

/** A graphql-ws client for a test: no retries (a failure fails the test), closed by the caller. */
export function wsClient(url: string, authorization?: string): { client: Client; closed: Promise<{ code: number; reason: string }> } {
  let onClosed: (e: { code: number; reason: string }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: authorization ? { authorization } : {},
    on: { closed: (e) => onClosed(e as { code: number; reason: string }) },
  });
  return { client, closed };
}

/** Collects a subscription's results; `next()` waits for the next one (or fails after a timeout). */
export function collect<T = any>(client: Client, query: string, variables?: Record<string, unknown>) {
  const results: Array<{ data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }> = [];
  const waiters: Array<() => void> = [];
  let error: unknown;
  let done = false;
  let subscribedResolve: () => void = () => {};
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        results.push(value as never);
        waiters.splice(0).forEach((w) => w());
      },
      error: (err) => {
        error = err;
        done = true;
        waiters.splice(0).forEach((w) => w());
      },
      complete: () => {
        done = true;
        waiters.splice(0).forEach((w) => w());
      },
    },
  );
  void subscribedResolve;
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  return {
    async next(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (results.length === 0) {
        if (done) throw error ?? new Error("subscription completed");
        if (Date.now() >= deadline) throw new Error("no result in time");
        await wait(deadline - Date.now());
      }
      return results.shift()!;
    },
    async nothingWithin(ms: number) {
      if (results.length > 0) return false;
      await wait(ms);
      return results.length === 0;
    },
    get error() {
      return error;
    },
    unsubscribe,
  };
}

/** Waits until the server has registered the subscription (a round trip on the same socket). */
export async function settle(client: Client): Promise<void> {
  for await (const _ of client.iterate({ query: "{ __typename }" })) break;
}
