import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { createLivePubSub } from "../../src/live/pubsub.js";
import { CALLBACK_RETRY_AFTER_MS, createChannels } from "../../src/server/channels.js";
import { CALLBACK_URL, CORP, createEnv, one, seedWeComWorkspace } from "../wecom-integration/helpers.js";

const T0 = new Date("2026-11-23T02:00:00Z");
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(() => server.close());

describe.each(["pglite", "postgres"] as const)("a running gateway's WeCom callbacks on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("retries a callback whose processing failed at the next periodic pass, not only at the next start", async () => {
    const env = createEnv(server, T0);
    const ws = await seedWeComWorkspace(t.db);
    // The database refuses this one customer until the trigger is dropped (a failure outside the gateway).
    await t.db.sql.execute(`CREATE FUNCTION refuse_wm_retry() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.wecom_external_user_id = 'wmRETRY' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$`);
    await t.db.sql.execute(`CREATE TRIGGER refuse_wm_retry BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION refuse_wm_retry()`);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const live = createLivePubSub();
    const logged: string[] = [];
    const channels = createChannels(
      { db: t.db, registry: ws.registry, pubsub: live.pubsub, clock: env.clock, workspaceId: ws.workspaceId, log: (m) => logged.push(m) },
      { wecom: { ...CORP, defaultJourney: "wecom-new" }, callbackRecoveryMs: 300_000 },
    );
    channels.start();
    const handler = channels.wecomCallback!;
    expect((await handler(env.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmRETRY", withWelcomeCode: false }).request(CALLBACK_URL))).status).toBe(200);
    await handler.drain();
    const waiting = `SELECT count(*)::int AS n FROM wecom_callbacks WHERE workspace_id = $1 AND processed_at IS NULL`;
    expect(await one(t.db, waiting, [ws.workspaceId])).toEqual({ n: 1 });
    expect(logged.join("\n")).toMatch(/disk full/);

    await t.db.sql.execute(`DROP TRIGGER refuse_wm_retry ON customers`);
    env.now.t += CALLBACK_RETRY_AFTER_MS + 1_000;
    vi.advanceTimersByTime(300_000);
    await channels.stop(); // waits for the pass and the processing it started
    await live.close();
    expect(await one(t.db, waiting, [ws.workspaceId])).toEqual({ n: 0 });
    expect(await one(t.db, `SELECT count(*)::int AS n FROM enrollments e JOIN customers c ON c.id = e.customer_id WHERE c.wecom_external_user_id = 'wmRETRY'`)).toEqual({ n: 1 });
    expect(logged).toContain("wecom callbacks: processing 1 stored but unprocessed");
  });
});
