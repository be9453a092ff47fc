import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { CASE_BODY, PUBLIC_URL, type TrackedFixture, beacon, trackedFixture } from "./helpers.js";

describe.each(["pglite", "postgres"] as const)("tracked content (%s)", (kind) => {
  let t: TestDatabase;
  let f: TrackedFixture;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    f = await trackedFixture(t.db, { perMinute: 3 });
    await f.gateway.channels.deliveryWorker.runOnce(f.clock.now);
  });
  afterAll(async () => {
    await f?.close();
    await t?.drop();
  });

  it("rewrites each link of the delivered content to a signed short link of this delivery", async () => {
    expect(f.seen).toHaveLength(1);
    const body = f.seen[0]!.contentBody as typeof CASE_BODY;
    const tokens = f.tokens();
    expect(tokens).toHaveLength(2);
    expect(body.text).toBe(`客户案例 ${PUBLIC_URL}/t/${tokens[0]} ，试用：`);
    expect(body.attachments[0]!.link).toEqual({ title: "Trial", url: `${PUBLIC_URL}/t/${tokens[1]}` });
    // A re-render of the same delivery (the worker is at-least-once) gives the same tokens.
    const again = await f.gateway.tracking!.tracker.render([{ ...f.seen[0]!, contentBody: CASE_BODY }]);
    expect(again[0]!.contentBody).toEqual(body);
  });

  it("serves a landing page that records nothing by itself; HEAD and preview fetches count nothing", async () => {
    const [token] = f.tokens();
    const head = await fetch(`${f.base}/t/${token}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    const page = await fetch(`${f.base}/t/${token}`, { headers: { "user-agent": "Mozilla/5.0 (compatible; WeChat link preview)" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    expect(html).toContain("visibilitychange");
    expect(html).toContain('"target":"https://example.com/case-1"');
    expect(html).toContain(`${PUBLIC_URL}/t/${token}/open`);
    expect(await f.events()).toEqual([]);
  });

  it("records content.opened with delivery key, step, content and link once per page view, and the journey reacts", async () => {
    const [, trial] = f.tokens();
    expect(await f.stage()).toBe("new");
    const res = await beacon(f.base, trial!, "open", { pv: "pv-aaaaaaaa" });
    expect(res.status).toBe(204);
    expect((await beacon(f.base, trial!, "open", { pv: "pv-aaaaaaaa" })).status).toBe(204); // a retried beacon
    const opened = await f.events("content.opened");
    expect(opened).toHaveLength(1);
    expect(opened[0]!.data).toMatchObject({ deliveryKey: f.seen[0]!.key, step: "case", content: "case-1", link: "https://example.com/trial?src=sop#top", linkIndex: 1, stage: "new" });
    expect(await f.stage()).toBe("interested");
  });

  it("records dwell from heartbeats and the pagehide beacon as content.read, and clicks as link.clicked", async () => {
    const [token] = f.tokens();
    await beacon(f.base, token!, "beat", { pv: "pv-bbbbbbbb", s: 15 }, "198.51.100.1");
    await beacon(f.base, token!, "beat", { pv: "pv-bbbbbbbb", s: 30 }, "198.51.100.1");
    await beacon(f.base, token!, "click", { pv: "pv-bbbbbbbb", href: "https://example.com/case-1#pricing", n: 1 }, "198.51.100.1");
    expect((await beacon(f.base, token!, "leave", { pv: "pv-bbbbbbbb", s: 42 }, "198.51.100.1")).status).toBe(204);
    const [read] = await f.events("content.read");
    expect(read!.data).toMatchObject({ seconds: 42, step: "case", link: "https://example.com/case-1" });
    const [click] = await f.events("link.clicked");
    expect(click!.data).toMatchObject({ href: "https://example.com/case-1#pricing", content: "case-1" });
    // A page view whose heartbeats stop without pagehide is recorded at its last heartbeat's dwell.
    await beacon(f.base, token!, "beat", { pv: "pv-cccccccc", s: 75 }, "198.51.100.1");
    expect(await f.gateway.tracking!.handler.sweep(new Date(f.clock.now.getTime() + 61_000))).toBe(1);
    const reads = await f.events("content.read");
    expect(reads.map((r) => r.data["seconds"]).sort()).toEqual([42, 75]);
  });

  it("answers 404 with no hint for tampered, unknown or made-up tokens", async () => {
    const [token] = f.tokens();
    const flipped = token!.slice(0, 3) + (token![3] === "A" ? "B" : "A") + token!.slice(4);
    const wrong = [flipped, "AAAAAAAAAAAAAAAAAAAAAA", "x", `${token}A`, "a.b"];
    const bodies = new Set<string>();
    for (const w of wrong) {
      const page = await fetch(`${f.base}/t/${w}`);
      expect(page.status).toBe(404);
      bodies.add(await page.text());
      expect((await beacon(f.base, w, "open", { pv: "pv-dddddddd" })).status).toBe(404);
    }
    expect([...bodies]).toEqual(["Not found"]);
    expect((await fetch(`${f.base}/t/${token}/other`, { method: "POST" })).status).toBe(404);
    expect((await beacon(f.base, token!, "open", "not json")).status).toBe(400);
  });

  it("does not count opens from one address past the rate, but the landing page still leads on", async () => {
    const [token] = f.tokens();
    const ip = "192.0.2.55";
    f.clock.now = new Date(f.clock.now.getTime() + 120_000);
    const before = (await f.events("content.opened")).length;
    for (let i = 0; i < 5; i++) expect((await beacon(f.base, token!, "open", { pv: `pv-rate-${i}-xxxx` }, ip)).status).toBe(204);
    expect((await f.events("content.opened")).length - before).toBe(3);
    expect((await fetch(`${f.base}/t/${token}`, { headers: { "x-forwarded-for": ip } })).status).toBe(200);
    // Another address, or the next minute, counts again.
    await beacon(f.base, token!, "open", { pv: "pv-rate-other-x" }, "192.0.2.56");
    f.clock.now = new Date(f.clock.now.getTime() + 60_000);
    await beacon(f.base, token!, "open", { pv: "pv-rate-later-x" }, ip);
    expect((await f.events("content.opened")).length - before).toBe(5);
  });

  it("serves beacon.js for operators' own pages", async () => {
    const res = await fetch(`${f.base}/t/beacon.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("javascript");
    const js = await res.text();
    for (const part of ["sl_t", "sl_pv", "pagehide", '"beat"', '"click"', "sendBeacon"]) expect(js).toContain(part);
  });
});
