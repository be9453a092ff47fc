// Issue 4, point 5c: the task-feed page logic on the fake wx runtime against a real gateway.
import { describe, expect, it } from "vitest";
import { main } from "./main.js";

describe("examples/mini-program", () => {
  it("loads my tasks with a staff token, receives new ones live, survives a socket drop and completes a task", async () => {
    const printed: string[] = [];
    const run = await main((text) => printed.push(text));
    const who = (data: { tasks: { customerId: string }[] }) => data.tasks.map((t) => run.customers[t.customerId]);

    expect(run.afterLoad).toMatchObject({ loading: false, error: null });
    expect(who(run.afterLoad)).toEqual(["lead-wang", "lead-li", "lead-zhao"]);
    expect(run.afterLoad.tasks[0]).toMatchObject({ kind: "call", customer: "lead-wang" });

    // lead-wang booked a test drive: the booking confirmation (a chat task, sent by hand) and the reminder call
    expect(who(run.afterLive)).toEqual(["lead-wang", "lead-li", "lead-zhao", "lead-wang", "lead-wang", "lead-sun"]);
    // Created while offline, delivered once after the reconnect.
    expect(who(run.afterReconnect)).toEqual(["lead-wang", "lead-li", "lead-zhao", "lead-wang", "lead-wang", "lead-sun", "lead-zhou"]);
    expect(new Set(run.afterReconnect.tasks.map((t) => t.id)).size).toBe(7);
    expect(run.sockets).toBeGreaterThanOrEqual(2);
    expect(run.reconnectWaits).toBeGreaterThanOrEqual(1);

    expect(run.completed.status).toBe("DONE");
    expect(run.afterComplete.tasks.map((t) => t.id)).not.toContain(run.completed.id);
    expect(run.afterComplete).toMatchObject({ done: 1, error: null });
    expect(run.afterComplete.tasks).toHaveLength(6);

    expect(printed[0]).toMatch(/^Tuesday 10:30, the rep opens the task page:\n {2}11-24 10:30 {2}call {2}lead-wang/);
    expect(printed).toHaveLength(4);
  });
});
