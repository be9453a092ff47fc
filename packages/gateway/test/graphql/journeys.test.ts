import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, KINDS, DAY, START, UPSERT_JOURNEY, createHarness, errorCodes, ok, salesJourney } from "./helpers.js";

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
