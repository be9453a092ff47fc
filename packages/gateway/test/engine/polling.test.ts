import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_RETRY_DELAY_MS, createPolling, retryDelay } from "../../src/engine/polling.js";

describe("createPolling", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it("retries a failing run with a doubling wait, logs each failure and the recovery, then polls at the interval again", async () => {
    const calls: number[] = [];
    const logs: string[] = [];
    let failuresLeft = 3;
    const polling = createPolling(
      "scheduler",
      async () => {
        calls.push(Date.now());
        if (failuresLeft-- > 0) throw new Error("Connection terminated unexpectedly");
      },
      100,
      (l) => logs.push(l),
    );
    polling.start();
    await vi.advanceTimersByTimeAsync(1_000);
    await polling.stop();
    // failures at 0, 100, 300; success at 700; then every 100 ms.
    expect(calls.slice(0, 6)).toEqual([0, 100, 300, 700, 800, 900]);
    expect(logs).toEqual([
      "scheduler: Connection terminated unexpectedly (failure 1 in a row; next try in 100 ms)",
      "scheduler: Connection terminated unexpectedly (failure 2 in a row; next try in 200 ms)",
      "scheduler: Connection terminated unexpectedly (failure 3 in a row; next try in 400 ms)",
      "scheduler: running again after 3 failed runs",
    ]);
  });

  it("keeps trying through a long outage, at most MAX_RETRY_DELAY_MS apart", async () => {
    let calls = 0;
    const polling = createPolling("delivery worker", async () => {
      calls++;
      throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
    }, 1_000);
    polling.start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    await polling.stop();
    // 0, 1, 3, 7, 15, 31 s, then 61, 91 … 571 s (30 s apart): 6 + 18.
    expect(calls).toBe(24);
    expect(retryDelay(1_000, 50)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelay(60_000, 3)).toBe(60_000);
  });
});
