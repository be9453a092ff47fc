import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { createLivePubSub } from "../../src/live/pubsub.js";
import { createChannels } from "../../src/server/channels.js";
import { CALLBACK_URL, CORP, createEnv, one, seedWeComWorkspace } from "../wecom-integration/helpers.js";

const T0 = new Date("2026-11-23T02:00:00Z");
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

// PostgreSQL only: the fault is a real one, the server ending the session mid-transaction.
describe("a WeCom callback whose database connection is terminated", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("is processed again at once (not minutes later by the recovery pass), exactly once", async () => {
    const env = createEnv(server, T0);
    const ws = await seedWeComWorkspace(t.db);
    // The first insert of this customer ends its own session (as a failover would); a sequence
    // counts attempts because it is not rolled back with the transaction.
    await t.db.sql.execute(`CREATE SEQUENCE drop_once`);
    await t.db.sql.execute(`CREATE FUNCTION drop_wm_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.wecom_external_user_id = 'wmDROP' AND nextval('drop_once') = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
      RETURN NEW; END $$`);
    await t.db.sql.execute(`CREATE TRIGGER drop_wm_once BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION drop_wm_once()`);
    const live = createLivePubSub();
    const logged: string[] = [];
    const channels = createChannels(
      { db: t.db, registry: ws.registry, pubsub: live.pubsub, clock: env.clock, workspaceId: ws.workspaceId, log: (m) => logged.push(m) },
      { wecom: { ...CORP, defaultJourney: "wecom-new" }, callbackRecoveryMs: 3_600_000 },
    );
    const handler = channels.wecomCallback!;
    try {
      const res = await handler(env.fake.addExternalContact(CORP.corpId, { userId: "amy", externalUserId: "wmDROP", withWelcomeCode: false }).request(CALLBACK_URL));
      expect(res.status).toBe(200);
      await handler.drain();
    } finally {
      await channels.stop();
      await live.close();
    }
    expect(logged.join("\n")).toMatch(/database connection lost .*; retrying/);
    expect(await one(t.db, `SELECT last_value::int AS n FROM drop_once`)).toEqual({ n: 2 });
    expect(await one(t.db, `SELECT count(*)::int AS n FROM wecom_callbacks WHERE workspace_id = $1 AND processed_at IS NULL`, [ws.workspaceId])).toEqual({ n: 0 });
    expect(await one(t.db, `SELECT count(*)::int AS n FROM enrollments e JOIN customers c ON c.id = e.customer_id WHERE c.wecom_external_user_id = 'wmDROP'`)).toEqual({ n: 1 });
  });
});
