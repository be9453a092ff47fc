import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChannelError } from "../../src/channels/errors.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { DeliveryError, createAdapterRegistry, createDeliveryWorker, deliveryCounts, deliveryStatus, type ChannelAdapter, type DeliveryRequest } from "../../src/delivery/index.js";
import { T0, deliveryRows, setupDeliveries } from "./helpers.js";

const sec = (n: number) => new Date(T0.getTime() + n * 1000);

/** An adapter whose behaviour per call is scripted; records every key it saw. */
function scripted(channel: string, script: (d: DeliveryRequest, call: number) => Promise<{ status: "sent" | "pending"; providerId?: string }>) {
  const seen: DeliveryRequest[] = [];
  const adapter: ChannelAdapter = {
    channel,
    async deliver(d) {
      seen.push(d);
      return script(d, seen.filter((s) => s.key === d.key).length);
    },
  };
  return { adapter, seen };
}

describe.each(["pglite", "postgres"] as const)("delivery worker on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("hands each due delivery to its channel's adapter with the idempotency key and records 'sent' once; channels without an adapter are left alone", async () => {
    const { workspaceId, customers, staff } = await setupDeliveries(t.db, "webhook", 5);
    const { adapter, seen } = scripted("webhook", async (d) => ({ status: "sent", providerId: `p-${d.key}` }));
    const worker = createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([adapter]), clock: () => T0, batchSize: 2 });
    expect(await worker.runOnce(T0)).toMatchObject({ claimed: 5, sent: 5 });
    expect(await worker.runOnce(sec(3600 * 5))).toMatchObject({ claimed: 0 });
    expect(seen).toHaveLength(5);
    const first = seen[0]!;
    expect(first.customer.id).toBe(customers.find((c) => c === first.customer.id));
    expect(first.staffId).toBe(staff[0]);
    expect(first.staffExternalId).toBe("amy");
    expect(first.contentBody).toEqual({ text: "你好 👋" });
    expect(first.attempt).toBe(1);
    const rows = await deliveryRows(t.db, workspaceId, "webhook");
    expect(rows.every((r) => r.status === "sent" && r.attempts === 1 && r.sent_at !== null && r.provider_id === `p-${r.key}`)).toBe(true);
    expect(new Set(seen.map((s) => s.key))).toEqual(new Set(rows.map((r) => r.key)));
  });

  it("retries transient failures with exponential backoff, then records the success", async () => {
    const { workspaceId } = await setupDeliveries(t.db, "webhook", 1);
    const { adapter, seen } = scripted("webhook", async (_d, call) => {
      if (call <= 2) throw new ChannelError({ code: -1, permanent: false, provider: "wecom", message: "system busy" });
      return { status: "sent" };
    });
    const worker = createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([adapter]), clock: () => T0, retry: { maxAttempts: 5, baseMs: 10_000 } });
    expect(await worker.runOnce(T0)).toMatchObject({ retried: 1 });
    let [row] = await deliveryRows(t.db, workspaceId, "webhook");
    expect(row).toMatchObject({ status: "due", attempts: 1, provider_error: "-1" });
    expect(row!.next_attempt_at).toEqual(sec(10));
    expect(await worker.runOnce(sec(9))).toMatchObject({ claimed: 0 });
    expect(await worker.runOnce(sec(10))).toMatchObject({ retried: 1 });
    [row] = await deliveryRows(t.db, workspaceId, "webhook");
    expect(row!.next_attempt_at).toEqual(sec(30)); // 10 s + 2 × 10 s
    expect(await worker.runOnce(sec(30))).toMatchObject({ sent: 1 });
    [row] = await deliveryRows(t.db, workspaceId, "webhook");
    expect(row).toMatchObject({ status: "sent", attempts: 3 });
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
  });

  it("fails at once with the provider's code on permanent errors, and after the last attempt on transient ones", async () => {
    const { workspaceId } = await setupDeliveries(t.db, "webhook", 4);
    const codes = [43101, 41051, 84061];
    const keys: string[] = [];
    const { adapter } = scripted("webhook", async (d) => {
      if (!keys.includes(d.key)) keys.push(d.key);
      const i = keys.indexOf(d.key);
      if (i < 3) throw new ChannelError({ code: codes[i]!, permanent: true, provider: i === 0 ? "wechat" : "wecom", message: `errcode ${codes[i]}` });
      throw new DeliveryError({ code: "http_503", permanent: false, message: "upstream down" });
    });
    const worker = createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([adapter]), clock: () => T0, retry: { maxAttempts: 2, baseMs: 1_000 } });
    expect(await worker.runOnce(T0)).toMatchObject({ failed: 3, retried: 1 });
    expect(await worker.runOnce(sec(1))).toMatchObject({ failed: 1 });
    const byKey = new Map((await deliveryRows(t.db, workspaceId, "webhook")).map((r) => [r.key, r]));
    expect(byKey.get(keys[0]!)).toMatchObject({ status: "failed", provider_error: "43101", attempts: 1 });
    expect(byKey.get(keys[1]!)).toMatchObject({ status: "failed", provider_error: "41051" });
    expect(byKey.get(keys[2]!)).toMatchObject({ status: "failed", provider_error: "84061" });
    expect(byKey.get(keys[3]!)).toMatchObject({ status: "failed", provider_error: "http_503", attempts: 2 });
    expect(byKey.get(keys[3]!)!.reason).toMatch(/gave up after 2 attempts/);
    const failed = await deliveryStatus(t.db, workspaceId, { status: "failed", limit: 10 });
    expect(failed.map((f) => f.providerError).sort()).toEqual(["41051", "43101", "84061", "http_503"]);
    expect(await deliveryCounts(t.db, workspaceId)).toEqual({ failed: 4 }); // the sms steps are not due yet
  });

  it("a worker dying after the adapter call: the claim is taken over after its lease, the adapter sees the key again, the outcome is recorded once", async () => {
    const { workspaceId } = await setupDeliveries(t.db, "webhook", 3);
    const { adapter, seen } = scripted("webhook", async () => ({ status: "sent" }));
    const adapters = createAdapterRegistry([adapter]);
    const dying = createDeliveryWorker({ db: t.db, adapters, clock: () => T0, leaseMs: 60_000, onPoint: (p) => { if (p === "after-deliver") throw new Error("killed"); } });
    await expect(dying.runOnce(T0)).rejects.toThrow("killed");
    expect((await deliveryRows(t.db, workspaceId, "webhook")).map((r) => r.status)).toEqual(["sending", "sending", "sending"]);
    const healthy = createDeliveryWorker({ db: t.db, adapters, clock: () => T0, leaseMs: 60_000 });
    expect(await healthy.runOnce(sec(59))).toMatchObject({ claimed: 0 }); // lease still held
    expect(await healthy.runOnce(sec(60))).toMatchObject({ claimed: 3, sent: 3 });
    const rows = await deliveryRows(t.db, workspaceId, "webhook");
    expect(rows.every((r) => r.status === "sent" && r.attempts === 2)).toBe(true);
    expect(seen).toHaveLength(6); // at-least-once towards the adapter
    expect(new Set(seen.map((s) => s.key)).size).toBe(3);
  });

  it("a slow worker whose lease expired cannot overwrite the outcome recorded by the worker that took over", async () => {
    const { workspaceId } = await setupDeliveries(t.db, "webhook", 1);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: ChannelAdapter = { channel: "webhook", deliver: async () => { await gate; throw new ChannelError({ code: 84061, permanent: true, provider: "wecom", message: "late" }); } };
    const fast: ChannelAdapter = { channel: "webhook", deliver: async () => ({ status: "sent", providerId: "fast" }) };
    const a = createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([slow]), clock: () => T0, leaseMs: 1_000 });
    const b = createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([fast]), clock: () => T0, leaseMs: 1_000 });
    const running = a.runOnce(T0);
    await new Promise((r) => setTimeout(r, 50)); // let a claim (real I/O, no clock involved)
    expect(await b.runOnce(sec(2))).toMatchObject({ sent: 1 });
    release();
    expect(await running).toMatchObject({ claimed: 1, failed: 0, sent: 0 });
    const [row] = await deliveryRows(t.db, workspaceId, "webhook");
    expect(row).toMatchObject({ status: "sent", provider_id: "fast", provider_error: null, attempts: 2 });
  });

  it("records 'pending' with the provider id, and uses deliverBatch when the adapter has one", async () => {
    const { workspaceId } = await setupDeliveries(t.db, "moments", 3);
    const batches: number[] = [];
    const adapter: ChannelAdapter = {
      channel: "moments",
      deliver: () => Promise.reject(new Error("deliverBatch should be used")),
      async deliverBatch(ds) {
        batches.push(ds.length);
        return ds.map((d, i) => (i === 0 ? { status: "rejected" as const, reason: new DeliveryError({ code: "no_staff", permanent: true, message: "x" }) } : { status: "fulfilled" as const, value: { status: "pending" as const, providerId: `job-${d.customer.id}` } }));
      },
    };
    const worker = createDeliveryWorker({ db: t.db, adapters: createAdapterRegistry([adapter]), clock: () => T0 });
    expect(await worker.runOnce(T0)).toMatchObject({ pending: 2, failed: 1 });
    expect(batches).toEqual([3]);
    const rows = await deliveryStatus(t.db, workspaceId, { channel: "moments" });
    expect(rows.filter((r) => r.status === "pending").every((r) => r.providerId?.startsWith("job-"))).toBe(true);
    const one = rows[0]!;
    expect(await deliveryStatus(t.db, workspaceId, { customerId: one.customerId, channel: "moments" })).toHaveLength(1);
  });

  it("registering two adapters for one channel is refused unless replacing", () => {
    const a: ChannelAdapter = { channel: "sms", deliver: async () => ({ status: "sent" }) };
    const registry = createAdapterRegistry([a]);
    expect(() => registry.register(a)).toThrow(/already has an adapter/);
    expect(registry.register(a, { replace: true }).channels()).toEqual(["sms"]);
  });
});
