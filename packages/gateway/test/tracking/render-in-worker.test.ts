import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { type ChannelAdapter, type DeliveryRequest, createAdapterRegistry, createDeliveryWorker } from "../../src/delivery/index.js";
import { createLinkSigner, createLinkTracker, trackingKey } from "../../src/tracking/index.js";
import { T0, deliveryRows, setupDeliveries } from "../delivery/helpers.js";

describe("the delivery worker renders tracked links before its adapter", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
  });
  afterAll(async () => t?.drop());

  it("retries the batch when rendering fails, leaves bodies without links untouched, and tracks those with links once", async () => {
    const { workspaceId } = await setupDeliveries(t.db, "webhook", 2);
    const seen: DeliveryRequest[] = [];
    const adapter: ChannelAdapter = { channel: "webhook", deliver: async (d) => (seen.push(d), { status: "sent" }) };
    const failing = createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([adapter]), clock: () => T0, render: async () => Promise.reject(new Error("database away")) });
    expect((await failing.runOnce(T0)).retried).toBe(2);
    expect(seen).toEqual([]);
    expect((await deliveryRows(t.db, workspaceId, "webhook")).map((r) => [r.status, r.reason])).toEqual([["due", "database away"], ["due", "database away"]]);

    const tracker = createLinkTracker({ sql: t.db.sql, signer: createLinkSigner(trackingKey(randomBytes(32))), publicUrl: "https://sop.example.com" });
    const worker = createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([adapter]), clock: () => T0, render: tracker.render });
    // The helper's content has no link: sent as written, nothing tracked.
    expect((await worker.runOnce(new Date(T0.getTime() + 3_600_000))).sent).toBe(2);
    expect(seen.map((d) => d.contentBody)).toEqual([{ text: "你好 👋" }, { text: "你好 👋" }]);
    expect(Number((await t.db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM tracked_deliveries`))[0]!.n)).toBe(0);
    const withLink = { ...seen[0]!, contentBody: { text: "see https://example.com/x" } };
    const [first] = await tracker.render([withLink]);
    const [again] = await tracker.render([withLink]);
    expect((first!.contentBody as { text: string }).text).toMatch(/^see https:\/\/sop\.example\.com\/t\/[A-Za-z0-9_-]+$/);
    expect(again!.contentBody).toEqual(first!.contentBody);
    const rows = await t.db.sql.query<{ delivery_key: string; links: string[]; step_id: string }>(`SELECT delivery_key, links, step_id FROM tracked_deliveries`);
    expect(rows).toEqual([{ delivery_key: withLink.key, links: ["https://example.com/x"], step_id: "hello" }]);
  });
});
