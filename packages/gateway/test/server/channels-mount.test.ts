import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { createGateway } from "../../src/server/create-gateway.js";
import { createFakeWeCom } from "../../src/channels/testing/fake-wecom.js";
import { CORP } from "../wecom-integration/helpers.js";
import { signPushRequest } from "../../src/channels/wechat/message-push.js";

// createGateway mounts the channel workers and the WeCom callback route on its own server.
describe("channels mounted in createGateway", () => {
  const msw = setupServer();
  let t: TestDatabase;
  beforeAll(async () => {
    msw.listen({ onUnhandledRequest: "bypass" });
    t = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    msw.close();
    await t?.drop();
  });

  it("serves WeCom's URL verification on /wecom/callback when a corp is configured, 404 otherwise", async () => {
    const now = Date.parse("2026-11-23T02:00:00Z");
    const fake = createFakeWeCom({ now: () => now, corps: [CORP] });
    msw.use(...fake.handlers);
    const gateway = await createGateway({ db: t.db, clock: () => new Date(now), wecom: CORP });
    try {
      const { query, expectedEcho } = fake.urlVerification(CORP.corpId);
      const url = new URL("http://gateway.test/wecom/callback");
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      const res = await gateway.yoga.fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(expectedEcho);
      url.searchParams.set("msg_signature", "0".repeat(40));
      expect((await gateway.yoga.fetch(url)).status).toBe(401);
      expect(gateway.channels.massSendWorker).toBeDefined();
      expect((await gateway.channels.deliveryWorker.runOnce(new Date(now))).claimed).toBe(0);
    } finally {
      await gateway.stop();
    }
    const plain = await createGateway({ db: t.db, clock: () => new Date(now) });
    try {
      expect((await plain.yoga.fetch("http://gateway.test/wecom/callback")).status).toBe(404);
      expect(plain.channels.massSendWorker).toBeUndefined();
    } finally {
      await plain.stop();
    }
  });

  it("serves the official account's message push on /wechat/callback when its token is configured, 404 otherwise", async () => {
    const now = Date.parse("2026-11-23T02:00:00Z");
    const account = { appId: "wxoa0001", secret: "oa-secret", token: "oa-push-token" };
    const gateway = await createGateway({ db: t.db, clock: () => new Date(now), officialAccount: account });
    try {
      const signed = signPushRequest(account, "", { timestamp: Math.floor(now / 1000), nonce: "mount" });
      const res = await gateway.yoga.fetch(`http://gateway.test/wechat/callback?${new URLSearchParams({ ...signed.query, echostr: "77" })}`);
      expect([res.status, await res.text()]).toEqual([200, "77"]);
    } finally {
      await gateway.stop();
    }
    const plain = await createGateway({ db: t.db, clock: () => new Date(now), officialAccount: { appId: "wxoa0001", secret: "oa-secret" } });
    try {
      expect((await plain.yoga.fetch("http://gateway.test/wechat/callback")).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});
