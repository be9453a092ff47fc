// Staff tokens: short access tokens renewed by a refresh token, per-token and per-member
// revocation that takes effect at once (HTTP, SSE and graphql-ws subscriptions), still one SQL
// statement per authenticated request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIVE_RECHECK_MS } from "../../src/graphql/subscriptions/token-expiry.js";
import { collect, settle, wsClient } from "../server/helpers.js";
import { DAY, ENROLL, type Harness, HOUR, KINDS, START, type Tenant, UPSERT_JOURNEY, countStatements, createHarness, errorCodes, ok, salesJourney, subscribeSse } from "./helpers.js";

const ISSUE = `mutation($s: ID!, $ttl: Int, $session: Int) { issueStaffToken(staffId: $s, ttlSeconds: $ttl, sessionTtlSeconds: $session) { id token expiresAt expiresIn refreshToken refreshExpiresAt staff { externalId } } }`;
const REFRESH = `mutation($r: String!) { refreshStaffToken(refreshToken: $r) { id token expiresAt expiresIn refreshToken refreshExpiresAt } }`;
const VIEWER = `{ viewer { kind staff { externalId } } }`;
const FEED = `subscription { myTaskFeed { change task { id } } }`;

interface Issued {
  id: string;
  token: string;
  expiresAt: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
}

describe.each(KINDS)("staff tokens on %s", (kind) => {
  let h: Harness;
  let ws: Tenant;
  let staffId: string;
  const at = (ms: number) => new Date(START.getTime() + ms);
  const issue = async (variables: Record<string, unknown> = {}): Promise<Issued> => ok(await ws.api(ISSUE, { s: staffId, ...variables })).issueStaffToken;
  const refresh = (refreshToken: string) => h.gql(null, REFRESH, { r: refreshToken });
  const viewer = (token: string) => h.gql(token, VIEWER);

  beforeAll(async () => {
    h = await createHarness(kind);
    h.clock.now = START;
    ws = await h.workspace();
    staffId = (await ws.staff("alice")).id;
    ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
  });
  afterAll(() => h?.close());

  it("issues a 1-hour access token and a 30-day refresh token; refreshing renews it with no credentials but the refresh token", async () => {
    h.clock.now = START;
    const first = await issue();
    expect(first).toMatchObject({ expiresAt: at(HOUR).toISOString(), expiresIn: 3600, refreshExpiresAt: at(30 * DAY).toISOString(), staff: { externalId: "alice" } });
    expect(first.refreshToken).toMatch(/^sr_/);
    expect(ok(await viewer(first.token)).viewer).toEqual({ kind: "STAFF", staff: { externalId: "alice" } });

    h.clock.now = at(HOUR + 60_000);
    expect(errorCodes(await viewer(first.token))).toEqual(["UNAUTHENTICATED"]);
    const second: Issued = ok(await refresh(first.refreshToken)).refreshStaffToken;
    expect(second).toMatchObject({ id: first.id, expiresAt: at(2 * HOUR + 60_000).toISOString(), expiresIn: 3600, refreshExpiresAt: first.refreshExpiresAt });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(ok(await viewer(second.token)).viewer.kind).toBe("STAFF");
    // and again, with the new refresh token
    h.clock.now = at(3 * HOUR);
    const third: Issued = ok(await refresh(second.refreshToken)).refreshStaffToken;
    expect(ok(await viewer(third.token)).viewer.kind).toBe("STAFF");

    // a refresh token works once: a reused one means two holders, and the session ends for both
    const reused = await refresh(second.refreshToken);
    expect(errorCodes(reused)).toEqual(["UNAUTHENTICATED"]);
    expect(reused.errors![0]!.message).toMatch(/already used/);
    expect(errorCodes(await viewer(third.token))).toEqual(["UNAUTHENTICATED"]);
    expect(errorCodes(await refresh(third.refreshToken))).toEqual(["UNAUTHENTICATED"]);
    // garbage and unknown sessions are UNAUTHENTICATED too, never masked
    for (const bad of ["nope", "sr_unknown.secret", `sr_${third.id}.wrong`]) expect(errorCodes(await refresh(bad)), bad).toEqual(["UNAUTHENTICATED"]);
    h.clock.now = START;
  });

  it("no access token outlives its session, refreshing does not extend it, and lifetimes are bounded", async () => {
    h.clock.now = START;
    const short = await issue({ ttl: 7200, session: 3600 });
    expect(short).toMatchObject({ expiresAt: at(HOUR).toISOString(), refreshExpiresAt: at(HOUR).toISOString() });
    h.clock.now = at(HOUR - 60_000);
    const renewed: Issued = ok(await refresh(short.refreshToken)).refreshStaffToken;
    expect(renewed.expiresAt).toBe(at(HOUR).toISOString());
    h.clock.now = at(HOUR + 1000);
    expect(errorCodes(await viewer(renewed.token))).toEqual(["UNAUTHENTICATED"]);
    const ended = await refresh(renewed.refreshToken);
    expect(ended.errors![0]!.message).toMatch(/ended/);
    h.clock.now = START;
    for (const v of [{ ttl: 59 }, { ttl: 7 * 86_400 + 1 }, { session: 3599 }, { session: 90 * 86_400 + 1 }]) {
      const r = await ws.api(ISSUE, { s: staffId, ...v });
      expect(errorCodes(r), JSON.stringify(v)).toEqual(["BAD_USER_INPUT"]);
      expect(r.errors![0]!.message).toMatch(/^(ttlSeconds|sessionTtlSeconds): expected/);
    }
  });

  it("revokeStaffToken stops one token (access and refresh) at once; the member's other tokens keep working", async () => {
    h.clock.now = START;
    const phone = await issue();
    const tablet = await issue();
    expect(ok(await ws.api(`mutation($id: ID!) { revokeStaffToken(id: $id) }`, { id: phone.id })).revokeStaffToken).toBe(true);
    const refused = await viewer(phone.token);
    expect(errorCodes(refused)).toEqual(["UNAUTHENTICATED"]);
    expect(refused.errors![0]!.message).toMatch(/revoked/);
    expect(errorCodes(await refresh(phone.refreshToken))).toEqual(["UNAUTHENTICATED"]);
    expect(ok(await viewer(tablet.token)).viewer.kind).toBe("STAFF");
    // again: nothing left to revoke
    expect(ok(await ws.api(`mutation($id: ID!) { revokeStaffToken(id: $id) }`, { id: phone.id })).revokeStaffToken).toBe(false);

    // a staff token signs itself out, but cannot touch another member's token
    const bob = await ws.staff("bob");
    const bobs = ok(await ws.api(ISSUE, { s: bob.id })).issueStaffToken as Issued;
    expect(ok(await h.gql(tablet.token, `mutation($id: ID!) { revokeStaffToken(id: $id) }`, { id: bobs.id })).revokeStaffToken).toBe(false);
    expect(ok(await viewer(bobs.token)).viewer.kind).toBe("STAFF");
    expect(ok(await h.gql(tablet.token, `mutation($id: ID!) { revokeStaffToken(id: $id) }`, { id: tablet.id })).revokeStaffToken).toBe(true);
    expect(errorCodes(await viewer(tablet.token))).toEqual(["UNAUTHENTICATED"]);
    // another workspace's API key cannot revoke it either
    const other = await h.workspace();
    expect(ok(await other.api(`mutation($id: ID!) { revokeStaffToken(id: $id) }`, { id: bobs.id })).revokeStaffToken).toBe(false);
    expect(ok(await viewer(bobs.token)).viewer.kind).toBe("STAFF");
  });

  it("revokeStaffTokens stops every token of a member at once (a lost phone); new ones can be issued", async () => {
    h.clock.now = START;
    const carol = await ws.staff("carol");
    const tokens = [ok(await ws.api(ISSUE, { s: carol.id })).issueStaffToken as Issued, ok(await ws.api(ISSUE, { s: carol.id })).issueStaffToken as Issued];
    expect(errorCodes(await h.gql(carol.token, `mutation($s: ID!) { revokeStaffTokens(staffId: $s) }`, { s: carol.id }))).toEqual(["FORBIDDEN"]);
    // the harness's token and the two above
    expect(ok(await ws.api(`mutation($s: ID!) { revokeStaffTokens(staffId: $s) }`, { s: carol.id })).revokeStaffTokens).toBe(3);
    for (const t of [carol.token, ...tokens.map((x) => x.token)]) expect(errorCodes(await viewer(t))).toEqual(["UNAUTHENTICATED"]);
    expect(errorCodes(await refresh(tokens[0]!.refreshToken))).toEqual(["UNAUTHENTICATED"]);
    const fresh = ok(await ws.api(ISSUE, { s: carol.id })).issueStaffToken as Issued;
    expect(ok(await viewer(fresh.token)).viewer.kind).toBe("STAFF");
    expect(errorCodes(await ws.api(`mutation { revokeStaffTokens(staffId: "nobody") }`))).toEqual(["NOT_FOUND"]);
  });

  it("authenticating a staff token stays one SQL statement (secret, member and session in one read)", async () => {
    h.clock.now = START;
    const t = await issue();
    const { result, count } = await countStatements(h.test.db.pool, () => viewer(t.token));
    expect(ok(result).viewer.kind).toBe("STAFF");
    // authentication + the viewer's staff row
    expect(count).toBe(2);
  });

  it("a revocation ends the token's live subscriptions at once, with nothing published on them", async () => {
    h.clock.now = START;
    const t = await issue();
    const kept = await issue();
    const feed = await subscribeSse(h, t.token, FEED);
    const other = await subscribeSse(h, kept.token, FEED);
    try {
      expect(await feed.nothingWithin(100)).toBe(true);
      ok(await ws.api(`mutation($id: ID!) { revokeStaffToken(id: $id) }`, { id: t.id }));
      const last = await feed.next();
      expect(last.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([["UNAUTHENTICATED", expect.stringMatching(/revoked/)]]);
      // the member's other token still gets its tasks
      ok(await ws.api(ENROLL, { c: "after-revoke", j: "sales", s: staffId }));
      expect((await other.next()).data.myTaskFeed.change).toBe("CREATED");
    } finally {
      await feed.close();
      await other.close();
    }
  });

  it("a deactivated member's subscription ends at its next delivery after the re-check interval", async () => {
    h.clock.now = START;
    const dave = await ws.staff("dave");
    const board = await subscribeSse(h, dave.token, `subscription { boardChanged { board { date } } }`);
    try {
      await board.nothingWithin(100);
      ok(await ws.api(`mutation { upsertStaff(input: { externalId: "dave", name: "dave", active: false }) { active } }`));
      h.clock.now = at(LIVE_RECHECK_MS);
      ok(await ws.api(ENROLL, { c: "board-change", j: "sales", s: staffId }));
      const last = await board.next();
      expect(last.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
      expect(last.data ?? null).toBeNull();
    } finally {
      h.clock.now = START;
      await board.close();
    }
  });

  it("revocation reaches graphql-ws subscriptions too", async () => {
    h.clock.now = START;
    const t = await issue();
    const { url } = await h.gateway.start(0, "127.0.0.1");
    const { client } = wsClient(url, `Bearer ${t.token}`);
    try {
      const feed = collect(client, FEED);
      await settle(client);
      ok(await ws.api(`mutation($s: ID!) { revokeStaffTokens(staffId: $s) }`, { s: staffId }));
      const last = await feed.next();
      expect(last.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
    } finally {
      await client.dispose();
    }
  });
});
