import { afterAll, describe, expect, it } from "vitest";
import { type TestDatabaseKind, createTestDatabase } from "../../src/db/test-databases.js";
import { main } from "../../src/server/cli.js";
import { KINDS } from "../graphql/helpers.js";

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const signals: Array<(s: string) => void> = [];
  return { io: { env, out: (l: string) => out.push(l), err: (l: string) => err.push(l), onSignal: (h: (s: string) => void) => signals.push(h) }, out, err, signals };
}

describe("sopline CLI", () => {
  it("prints usage for --help and fails on unknown commands or bad ports", async () => {
    const help = io();
    expect(await main(["--help"], help.io)).toBe(0);
    expect(help.out.join("\n")).toMatch(/sopline serve/);
    const bad = io();
    expect(await main(["launch"], bad.io)).toBe(2);
    expect(bad.err.join("\n")).toMatch(/Unknown command "launch"/);
    const port = io({ PORT: "99999" });
    expect(await main(["serve"], port.io)).toBe(2);
    expect(port.err.join("\n")).toMatch(/--port: expected 0…65535/);
  });

  describe.each(KINDS)("serve on %s", (kind: TestDatabaseKind) => {
    const drops: Array<() => Promise<void>> = [];
    afterAll(async () => {
      for (const d of drops) await d();
    });

    it("serves with --load-examples, prints the GraphiQL URL and the generated admin key, and stops on a signal", async () => {
      // a database the CLI opens itself (a persistent PGlite directory, or a PostgreSQL database)
      const t = await createTestDatabase(kind, { persistent: true });
      await t.db.close();
      drops.push(() => t.drop());
      const run = io({ PORT: "0", DATABASE_URL: t.url });
      const result = await main(["serve", "--load-examples", "--host", "127.0.0.1"], run.io);
      if (typeof result === "number") throw new Error(run.err.join("\n"));
      try {
        const text = run.out.join("\n");
        expect(text).toMatch(/Loaded 4 example journeys \(b2b-nurture@1, car-test-drive@1, course-8-9@1, reactivation@1\), \d+ content entries, 3 staff members/);
        expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
        expect(text).toContain(`GraphiQL:      ${result.url}`);
        const key = /Bearer (sk_\S+)/.exec(text)?.[1];
        expect(key).toBeDefined();
        const res = await fetch(result.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query: "{ journeys { key } staff { externalId } contents { totalCount } segmentRules { name } }" }) });
        const body = (await res.json()) as { data: { journeys: unknown[]; staff: unknown[]; contents: { totalCount: number }; segmentRules: unknown[] } };
        expect(body.data.journeys).toHaveLength(4);
        expect(body.data.staff).toHaveLength(3);
        expect(body.data.contents.totalCount).toBeGreaterThan(20);
        expect(body.data.segmentRules).toHaveLength(2);
        const lint = await fetch(result.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query: `{ journeyLint(key: "b2b-nurture") { code } }` }) });
        const codes = ((await lint.json()) as { data: { journeyLint: Array<{ code: string }> } }).data.journeyLint.map((i) => i.code);
        expect(codes).toContain("expired-content");
        // SIGINT/SIGTERM stop the gateway (scheduler, sockets, database)
        expect(run.signals).toHaveLength(1);
        run.signals[0]!("SIGTERM");
        await result.stop();
        await expect(fetch(result.url)).rejects.toThrow();
      } finally {
        await result.stop();
      }
    });
  });
});
