import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, KINDS, DAY, ENROLL, START, UPSERT_JOURNEY, createHarness, errorCodes, ok, salesJourney } from "./helpers.js";

describe.each(KINDS)("journeys and content on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(() => h?.close());

  it("upsertJourney rejects an invalid definition with BAD_USER_INPUT and the core's issues with their paths", async () => {
    const ws = await h.workspace();
    const bad = { ...salesJourney, entry: "nowhere", stages: [{ ...salesJourney.stages[0]!, sop: [{ id: "x", after: "soon", channel: "private_chat", content: "a" }] }] };
    const r = await ws.api(UPSERT_JOURNEY, { d: bad });
    expect(r.data).toBeNull();
    expect(errorCodes(r)).toEqual(["BAD_USER_INPUT"]);
    const issues = r.errors![0]!.extensions!.issues as Array<{ path: string; message: string }>;
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(["entry", "stages[0].sop[0].after"]));
    expect(issues.every((i) => typeof i.message === "string" && i.message.length > 0)).toBe(true);
    expect(r.errors![0]!.message).toMatch(/stages\[0\]\.sop\[0\]\.after/);
  });

  it("upsertJourney answers a version past 32 bits, a 1e308 ms duration and a sub-minute repeat with BAD_USER_INPUT and their paths, not a masked error", async () => {
    const ws = await h.workspace();
    const step = salesJourney.stages[0]!.sop![0]!;
    const bad = {
      ...salesJourney,
      version: 2_147_483_648,
      stages: [{ ...salesJourney.stages[0]!, sop: [{ ...step, after: 1e308 }, { id: "ping", after: "0m", repeat: { every: "30s", times: 5 }, channel: "sms", content: "x" }] }, salesJourney.stages[1]!],
    };
    const r = await ws.api(UPSERT_JOURNEY, { d: bad });
    expect(errorCodes(r)).toEqual(["BAD_USER_INPUT"]);
    expect(r.errors![0]!.extensions!.issues).toEqual([
      { path: "version", message: "2147483648 is above the largest version, 2147483647 (versions are stored as 32-bit integers)" },
      { path: "stages[0].sop[0].after", message: "1e+308 ms is longer than the maximum of 10 years" },
      { path: "stages[0].sop[1].repeat.every", message: '"30s" is below the minimum of 1 minute' },
    ]);
    // The largest version is fine; a change after it has no version left to take.
    ok(await ws.api(UPSERT_JOURNEY, { d: { ...salesJourney, version: 2_147_483_647 } }));
    const next = await ws.api(UPSERT_JOURNEY, { d: { ...salesJourney, version: 1, name: "changed" } });
    expect(errorCodes(next)).toEqual(["BAD_USER_INPUT"]);
    expect(next.errors![0]!.extensions!.issues).toEqual([{ path: "version", message: expect.stringMatching(/already at version 2147483647, the largest there can be/) }]);
  });

  it("upcomingSteps on a stored 4,000-step journey is capped at its limit (200) and horizon", async () => {
    const ws = await h.workspace();
    // Stored before the 200-steps-per-stage limit: written to the database as it was then.
    const sop = Array.from({ length: 4_000 }, (_, i) => ({ id: `s${i}`, after: `${i + 1}m`, channel: "private_chat", content: `c${i}` }));
    const big = { id: "big", version: 1, timezone: "Asia/Shanghai", entry: "s", window: { from: "09:00", to: "21:00" }, stages: [{ id: "s", sop }] };
    await h.test.db.sql.execute(`INSERT INTO journeys (workspace_id, key, version, definition) VALUES ($1, 'big', 1, $2::jsonb)`, [ws.id, JSON.stringify(big)]);
    const { customerId } = ok(await ws.api(ENROLL, { c: "big-1", j: "big" })).enroll;
    const upcoming = (args: string) => ws.api(`query($id: ID!) { customer(id: $id) { journeys { upcomingSteps${args} { stepId dueAt } } } }`, { id: customerId });
    const capped = ok(await upcoming("(days: 1000, limit: 5000)")).customer.journeys[0].upcomingSteps;
    expect(capped.map((s: { stepId: string }) => s.stepId)).toEqual(Array.from({ length: 200 }, (_, i) => `s${i}`));
    const few = ok(await upcoming("(limit: 3)")).customer.journeys[0].upcomingSteps;
    expect(few).toEqual([
      { stepId: "s0", dueAt: new Date(START.getTime() + 60_000).toISOString() },
      { stepId: "s1", dueAt: new Date(START.getTime() + 120_000).toISOString() },
      { stepId: "s2", dueAt: new Date(START.getTime() + 180_000).toISOString() },
    ]);
    // The horizon: nothing is ahead of now within 0 days (the first step is a minute away).
    expect(ok(await upcoming("(days: 0)")).customer.journeys[0].upcomingSteps).toEqual([]);
  });

  it("stores a new version only when the definition changed, and returns lint warnings against the content library", async () => {
    const ws = await h.workspace();
    const first = ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
    expect(first.upsertJourney).toMatchObject({ created: true, journey: { key: "sales", version: 1 } });
    expect(first.upsertJourney.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: "missing-content", path: "stages[0].sop[0].content" })]));

    const again = ok(await ws.api(UPSERT_JOURNEY, { d: { ...salesJourney } }));
    expect(again.upsertJourney).toMatchObject({ created: false, journey: { version: 1, id: first.upsertJourney.journey.id } });

    const changed = { ...salesJourney, name: "Sales follow-up v2" };
    const second = ok(await ws.api(UPSERT_JOURNEY, { d: changed }));
    expect(second.upsertJourney).toMatchObject({ created: true, journey: { version: 2 } });

    const list = ok(await ws.api(`{ journeys { key version name stages { id name kind steps } } }`));
    expect(list.journeys).toEqual([{ key: "sales", version: 2, name: "Sales follow-up v2", stages: [{ id: "new", name: "新客 new", kind: "nurture", steps: 4 }, { id: "interested", name: "感兴趣 interested", kind: null, steps: 1 }] }]);
    const v1 = ok(await ws.api(`{ journey(key: "sales", version: 1) { version name definition } }`));
    expect(v1.journey).toMatchObject({ version: 1, name: "Sales follow-up", definition: { id: "sales", version: 1 } });
    const missing = await ws.api(`{ journey(key: "nope") { id } }`);
    expect(errorCodes(missing)).toEqual(["NOT_FOUND"]);
  });

  it("journeyLint reports missing and expired content; contents lists the library with expiredOnly", async () => {
    const ws = await h.workspace();
    h.clock.now = START;
    ok(await ws.api(UPSERT_JOURNEY, { d: salesJourney }));
    const upsert = `mutation($i: ContentInput!) { upsertContent(input: $i) { ref version expired expiresAt channel } }`;
    for (const ref of ["greeting", "call-script", "case-1", "trial-offer"]) {
      ok(await ws.api(upsert, { i: { ref, title: ref, type: "greeting", body: { text: ref }, channel: "PRIVATE_CHAT" } }));
    }
    const expiring = ok(await ws.api(upsert, { i: { ref: "article-1", title: "Article", type: "article", body: { text: "v1" }, expiresAt: new Date(START.getTime() + DAY).toISOString() } }));
    expect(expiring.upsertContent).toMatchObject({ ref: "article-1", version: 1, expired: false });

    expect(ok(await ws.api(`{ journeyLint(key: "sales") { code path } }`)).journeyLint.filter((i: { code: string }) => i.code.endsWith("content"))).toEqual([]);
    h.clock.now = new Date(START.getTime() + 2 * DAY);
    const lint = ok(await ws.api(`{ journeyLint(key: "sales") { level code path message } }`)).journeyLint;
    expect(lint).toEqual(expect.arrayContaining([expect.objectContaining({ level: "warning", code: "expired-content", path: "stages[0].sop[2].content" })]));

    const expired = ok(await ws.api(`{ contents(expiredOnly: true) { totalCount edges { node { ref expired } } } }`));
    expect(expired.contents.edges).toEqual([{ node: { ref: "article-1", expired: true } }]);

    // a changed body bumps the version; the same body keeps it
    const v2 = ok(await ws.api(upsert, { i: { ref: "article-1", title: "Article", type: "article", body: { text: "v2" } } }));
    expect(v2.upsertContent).toMatchObject({ version: 2, expired: false, expiresAt: null });
    const same = ok(await ws.api(upsert, { i: { ref: "article-1", title: "Article", type: "article", body: { text: "v2" } } }));
    expect(same.upsertContent.version).toBe(2);

    const page1 = ok(await ws.api(`{ contents(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { ref } } } }`));
    expect(page1.contents.totalCount).toBe(5);
    expect(page1.contents.edges.map((e: { node: { ref: string } }) => e.node.ref)).toEqual(["article-1", "call-script"]);
    const page2 = ok(await ws.api(`query($a: String) { contents(first: 10, after: $a) { pageInfo { hasNextPage } edges { node { ref } } } }`, { a: page1.contents.pageInfo.endCursor }));
    expect(page2.contents.edges.map((e: { node: { ref: string } }) => e.node.ref)).toEqual(["case-1", "greeting", "trial-offer"]);
    expect(ok(await ws.api(`{ content(ref: "greeting") { title body channel } }`)).content).toEqual({ title: "greeting", body: { text: "greeting" }, channel: "PRIVATE_CHAT" });
    expect(errorCodes(await ws.api(`{ content(ref: "nope") { title } }`))).toEqual(["NOT_FOUND"]);
  });

  it("keeps journeys and content of one workspace invisible to another", async () => {
    const a = await h.workspace();
    const b = await h.workspace();
    ok(await a.api(UPSERT_JOURNEY, { d: salesJourney }));
    ok(await a.api(`mutation { upsertContent(input: { ref: "secret", title: "s", type: "offer", body: {} }) { id } }`));
    expect(ok(await b.api(`{ journeys { key } }`)).journeys).toEqual([]);
    expect(errorCodes(await b.api(`{ journey(key: "sales") { id } }`))).toEqual(["NOT_FOUND"]);
    expect(errorCodes(await b.api(`{ journeyLint(key: "sales") { code } }`))).toEqual(["NOT_FOUND"]);
    expect(errorCodes(await b.api(`{ content(ref: "secret") { id } }`))).toEqual(["NOT_FOUND"]);
    expect(ok(await b.api(`{ contents { totalCount } }`)).contents.totalCount).toBe(0);
  });
});
