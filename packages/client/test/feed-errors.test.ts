// A feed's error reaches the caller: its `error` handler, or console.error when it gave none (it
// used to be dropped, so a feed refused by the gateway looked like a quiet one).
import { afterEach, describe, expect, it, vi } from "vitest";
import { GraphQLResponseError } from "../src/index.js";
import { startGateway } from "./helpers/gateway.js";

describe("feed errors", () => {
  afterEach(() => vi.restoreAllMocks());

  it("hands the gateway's refusal of an API-key task feed without staffId to the error handler, else to console.error", async () => {
    await using fixture = await startGateway();
    const ws = await fixture.workspace();
    const handled = await new Promise<unknown>((resolve) => ws.admin.taskFeed({ next: () => {}, error: resolve }));
    expect(handled).toBeInstanceOf(GraphQLResponseError);
    expect((handled as GraphQLResponseError).code).toBe("FORBIDDEN");
    expect((handled as Error).message).toMatch(/with an API key, pass staffId/);

    const printed = new Promise<unknown[]>((resolve) => vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => resolve(args)));
    ws.admin.taskFeed({ next: () => {} });
    const [message, error] = await printed;
    expect(message).toBe("sopline: a live feed ended with an error (pass an `error` handler to handle it):");
    expect((error as GraphQLResponseError).code).toBe("FORBIDDEN");

  });
});
