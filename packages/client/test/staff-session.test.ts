// Issue 14, point 6: a mini-program keeps its short-lived staff token fresh without user action
// (createStaffSession), against a REAL gateway. The device clock is injected; no waiting.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphQLResponseError, createStaffSession, type StaffTokenPair } from "../src/index.js";
import { startGateway, type GatewayFixture } from "./helpers/gateway.js";

describe("createStaffSession against a real gateway", () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.[Symbol.asyncDispose]();
  });

  it("hands out the token until shortly before it expires, then renews it once however many ask, and reports each new pair", async () => {
    const ws = await gw.workspace();
    const { id: staffId } = await ws.admin.upsertStaff({ externalId: "amy", name: "Amy" });
    const issued = await ws.admin.issueStaffToken(staffId);
    expect(issued.expiresIn).toBe(3600);
    let device = 1_000_000; // the device's clock, unrelated to the gateway's
    const saved: StaffTokenPair[] = [];
    const session = createStaffSession({ initial: issued, client: ws.client({ token: undefined }), onRefresh: (p) => saved.push(p), now: () => device });
    const client = ws.client({ token: session.token });

    expect(await session.token()).toBe(issued.token);
    expect((await client.viewer()).staff?.externalId).toBe("amy");
    expect(saved).toEqual([]);

    // 59 minutes later by the device: inside the default one-minute margin, so it renews, once
    device += 3600_000 - 59_000;
    const [a, b, c] = await Promise.all([session.token(), session.token(), client.viewer()]);
    expect(a).toBe(b);
    // (the access token may read the same when renewed within the second it was issued: same claims)
    expect(c.staff?.externalId).toBe("amy");
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ id: issued.id, token: a });
    expect(session.current().refreshToken).not.toBe(issued.refreshToken);
    // the renewed token is good and the session was not revoked by a second, concurrent refresh
    expect((await client.viewer()).kind).toBe("STAFF");

    // signing out revokes it: renewing then fails with the gateway's UNAUTHENTICATED
    expect(await client.revokeStaffToken(issued.id)).toBe(true);
    device += 3600_000;
    const failed = await session.token().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(GraphQLResponseError);
    expect((failed as GraphQLResponseError).errors[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
