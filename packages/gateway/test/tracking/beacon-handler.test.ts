// The beacon path without a database: what a beacon answers (CORS on every answer of a beacon),
// backpressure past the backlog, a failed batch heard by the log, and the tracked-row loader that
// reads the misses of one turn in one statement.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlRunner } from "../../src/db/index.js";
import type { EventInput } from "../../src/events/event-input.js";
import type { EventRecorder } from "../../src/tracking/event-recorder.js";
import { createTrackingHandler } from "../../src/tracking/handler.js";
import { createRateLimiter } from "../../src/tracking/rate-limit.js";
import { createLinkSigner, trackingKey } from "../../src/tracking/token.js";
import { type TrackedDelivery, cachedTrackedLoader } from "../../src/tracking/tracked-deliveries.js";

const tracked: TrackedDelivery = {
  id: 7n, deliveryKey: "d-7", workspaceId: "w1", customerId: "1", customerExternalId: "c-1", customerOpenId: null,
  journeyKey: "j", stage: "new", stepId: "case", content: "case-1", links: ["https://example.com/a"],
};

/** A recorder whose batches commit when the test says so. */
function manualRecorder() {
  const queued: Array<{ event: EventInput; waited: boolean; commit: () => void; fail: (err: unknown) => void }> = [];
  const recorder: EventRecorder = {
    record: (_ws, event) => new Promise<void>((commit, fail) => queued.push({ event, waited: true, commit, fail })),
    enqueue: (_ws, event, onError) => void queued.push({ event, waited: false, commit: () => undefined, fail: onError }),
    idle: async () => undefined,
    backlog: () => queued.length,
    written: () => ({ batches: 0, events: 0 }),
  };
  return { recorder, queued };
}

describe("beacon handler", () => {
  const signer = createLinkSigner(trackingKey(randomBytes(32)));
  const token = signer.sign({ trackedId: 7n, link: 0 });
  const { recorder, queued } = manualRecorder();
  const logged: string[] = [];
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    const handler = createTrackingHandler({
      signer, recorder, limiter: createRateLimiter(100), clock: () => new Date("2026-11-23T02:00:00Z"), publicUrl: "https://sop.example.com",
      load: async (id) => (id === 7n ? tracked : null), maxBacklog: 2, log: (m) => logged.push(m),
    });
    server = http.createServer((req, res) => void handler(req, res, (req.url ?? "").split("?")[0]!));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const post = (path: string, body: string) => fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "text/plain" }, body });

  it("answers every beacon readable from the target's origin: 204, 400 and 404 alike", async () => {
    const ok = await post(`/t/${token}/open`, '{"pv":"pv-cors-0001"}');
    const bad = await post(`/t/${token}/open`, "not json");
    const unknown = await post(`/t/${token.slice(0, -2)}AA/open`, '{"pv":"pv-cors-0002"}');
    expect([ok.status, bad.status, unknown.status]).toEqual([204, 400, 404]);
    for (const res of [ok, bad, unknown]) expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(await bad.text()).toMatch(/^body: expected JSON/);
    expect(await unknown.text()).toBe("Not found");
    expect(queued.map((q) => q.event.id)).toEqual([`sl:o:${token}:pv-cors-0001`]);
  });

  it("logs an open whose batch failed, and past the backlog answers only once the event is committed", async () => {
    queued.shift()!.fail(new Error("database gone"));
    expect(logged).toEqual([`tracked event content.opened of d-7 not recorded: database gone`]);
    await post(`/t/${token}/open`, '{"pv":"pv-back-0001"}');
    await post(`/t/${token}/open`, '{"pv":"pv-back-0002"}');
    let answered = false;
    const third = post(`/t/${token}/open`, '{"pv":"pv-back-0003"}').then((res) => ((answered = true), res));
    while (queued.length < 3) await new Promise((resolve) => setImmediate(resolve));
    expect(queued.map((q) => q.waited)).toEqual([false, false, true]);
    expect(answered).toBe(false);
    queued[2]!.commit();
    expect((await third).status).toBe(204);
  });
});

describe("cached tracked-row loader", () => {
  it("reads the ids missed in one turn with one statement, and each id once", async () => {
    const statements: unknown[][] = [];
    const sql: SqlRunner = {
      query: async <T>(_text: string, params?: readonly unknown[]) => {
        statements.push([...(params ?? [])]);
        return [{ id: "7", delivery_key: "d-7", workspace_id: "w1", customer_id: "1", external_id: "c-1", oa_open_id: null, journey_key: "j", stage: "new", step_id: "case", content: null, links: ["https://example.com/a"] }] as T[];
      },
      execute: async () => 0,
    };
    const load = cachedTrackedLoader(sql);
    const [a, b, c] = await Promise.all([load(7n), load(8n), load(7n)]);
    expect(statements).toEqual([[`{"7","8"}`]]);
    expect(a).toMatchObject({ id: 7n, deliveryKey: "d-7", customerExternalId: "c-1" });
    expect([b, c === a]).toEqual([null, true]);
    await load(8n); // a miss is remembered too
    expect(statements).toHaveLength(1);
  });
});
