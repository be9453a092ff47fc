import fs from "node:fs";
import net from "node:net";
import { defineJourney, type JourneyDefinition } from "@sopline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createWorkspace } from "../../src/auth/index.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { migrateInFlight } from "../../src/engine/migrate-in-flight.js";
import { main } from "../../src/server/cli.js";
import { type Gateway, createGateway } from "../../src/server/create-gateway.js";
import { DAY, ENROLL, HOUR, KINDS, START, salesJourney } from "../graphql/helpers.js";
import { captureIo, tempFiles } from "./helpers.js";

// Version 2 adds two steps to "new": one whose time (day 1 08:00) has passed for the customers
// already there by day 1 21:00, one (day 3) still ahead of them.
const v2: JourneyDefinition = {
  ...salesJourney,
  stages: salesJourney.stages.map((s) =>
    s.id === "new"
      ? { ...s, sop: [...s.sop!, { id: "intro", day: 1, at: "08:00", channel: "private_chat", content: "intro" }, { id: "webinar", day: 3, at: "10:00", channel: "private_chat", content: "webinar-invite" }] }
      : s,
  ),
};
// Version 3 drops the stage "interested", where a customer sits.
const withoutInterested: JourneyDefinition = { ...v2, stages: v2.stages.filter((s) => s.id !== "interested"), transitions: [] };

describe.each(KINDS)("sopline push and pull against a running gateway on %s", (kind) => {
  let t: TestDatabase;
  let gateway: Gateway;
  let url: string;
  let key: string;
  const clock = { now: START };
  const files = tempFiles({
    "sales.yaml": stringify(salesJourney),
    "sales-v2.yaml": stringify(v2),
    "sales-v3.yaml": stringify(withoutInterested),
    "bad.yaml": stringify({ ...v2, entry: "nowhere" }),
  });
  const cli = async (...argv: string[]) => {
    const c = captureIo();
    const code = await main(argv, c.io);
    return { code, ...c };
  };
  const post = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const versions = async () => (await t.db.sql.query<{ v: number }>(`SELECT journey_version AS v FROM enrollments ORDER BY customer_id`)).map((r) => r.v);
  const deliveries = (step: string) => t.db.sql.query<{ customer_id: string; status: string; reason: string | null }>(`SELECT customer_id, status, reason FROM deliveries WHERE step_id = $1 ORDER BY customer_id`, [step]);

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    gateway = await createGateway({ db: t.db, clock: () => clock.now, schedulerIntervalMs: 3_600_000 });
    ({ url } = await gateway.start(0, "127.0.0.1"));
    key = (await createWorkspace(t.db.sql, { name: "push", settings: { unknownCustomers: "create" } })).apiKey;
  });
  afterAll(async () => {
    await gateway?.stop();
    await t?.drop();
    files.remove();
  });

  it("publishes, dry-runs and migrates customers in flight, who then get the new step exactly once", async () => {
    const first = await cli("push", files.file("sales.yaml"), "--url", url, "--key", key);
    expect(first.code).toBe(0);
    expect(first.out[0]).toBe(`${files.file("sales.yaml")}: journey "sales" published as version 1`);

    const customers: string[] = [];
    for (const c of ["c1", "c2", "c3"]) customers.push((await post(ENROLL, { c, j: "sales" })).enroll.customerId);
    await post(`mutation($c: ID!) { moveCustomer(customerId: $c, journeyKey: "sales", to: "interested") { stage } }`, { c: customers[2] });
    await gateway.scheduler.runOnce(clock.now);
    clock.now = new Date(START.getTime() + DAY + 12 * HOUR); // day 1, 21:00 in Shanghai: the call is done
    await gateway.scheduler.runOnce(clock.now);

    const dry = await cli("push", files.file("sales-v2.yaml"), "--url", url, "--key", key, "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.out.join("\n")).toBe(
      [
        `${files.file("sales-v2.yaml")}: journey "sales" would be published as version 2; nothing was stored`,
        "  3 customers in flight on older versions would move to it:",
        "    by stage: new 2, interested 1",
        "    new step new/webinar: 2 customers would receive it (once)",
        "    skipped as migrated intro: its time had passed for 2 customers (recorded, never sent)",
      ].join("\n"),
    );
    expect(await versions()).toEqual([1, 1, 1]);
    expect((await post(`{ journey(key: "sales") { version } }`)).journey.version).toBe(1);
    expect(await deliveries("intro")).toEqual([]);

    const migrated = await cli("push", files.file("sales-v2.yaml"), "--url", url, "--key", key, "--migrate");
    expect(migrated.code).toBe(0);
    expect(migrated.out[0]).toBe(`${files.file("sales-v2.yaml")}: journey "sales" published as version 2`);
    expect(migrated.out.join("\n")).toContain("  3 customers in flight on older versions moved to it:\n    by stage: new 2, interested 1\n    new step new/webinar: 2 customers will receive it (once)");
    expect(await versions()).toEqual([2, 2, 2]);
    expect(await deliveries("intro")).toEqual(customers.slice(0, 2).sort().map((c) => ({ customer_id: c, status: "skipped", reason: "migrated" })));

    // day 3 and after: the webinar invitation goes out once per customer in "new", however often the scheduler runs
    clock.now = new Date(START.getTime() + 3 * DAY + 2 * HOUR);
    await gateway.scheduler.runOnce(clock.now);
    await gateway.scheduler.runOnce(clock.now);
    clock.now = new Date(START.getTime() + 4 * DAY);
    await gateway.scheduler.runOnce(clock.now);
    expect(await deliveries("webinar")).toEqual(customers.slice(0, 2).sort().map((c) => ({ customer_id: c, status: "due", reason: null })));
    expect(await deliveries("intro")).toHaveLength(2);

    // pushing again changes nothing and moves nobody
    const again = await cli("push", files.file("sales-v2.yaml"), "--url", url, "--key", key, "--migrate");
    expect([again.out[0], again.out.at(-1)]).toEqual([`${files.file("sales-v2.yaml")}: journey "sales" unchanged (version 2)`, "  no customers in flight on older versions"]);
    // the gateway's lint warnings point into the file
    expect(again.out).toContainEqual(`  ${files.file("sales-v2.yaml")}: stages[0].sop[5].content: warning missing-content: content "webinar-invite" is not in the content library (line 42)`);
    expect(await deliveries("webinar")).toHaveLength(2);
  });

  it("refuses a migration that would strand customers in a removed stage, storing nothing", async () => {
    const r = await cli("push", files.file("sales-v3.yaml"), "--url", url, "--key", key, "--migrate");
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe(
      `${files.file("sales-v3.yaml")}: the gateway at ${url} refused it (BAD_USER_INPUT): cannot migrate journey "sales" to version 3: 1 customer is in stage "interested", which it no longer has (keep the stage, or publish without migrating)`,
    );
    expect((await post(`{ journey(key: "sales") { version } }`)).journey.version).toBe(2);
    const dry = await cli("push", files.file("sales-v3.yaml"), "--url", url, "--key", key, "--dry-run");
    expect(dry.code).toBe(1);
    expect(dry.err[0]).toMatch(/refused it \(BAD_USER_INPUT\): cannot migrate journey "sales" to version 3: 1 customer is in stage "interested"/);
  });

  it("refuses to migrate customers of one journey onto a journey with another id", async () => {
    await expect(migrateInFlight(t.db, gateway.registry, { workspaceId: (await post("{ viewer { workspace { id } } }")).viewer.workspace.id, journeyKey: "sales", to: defineJourney({ ...v2, id: "other", version: 9 }) })).rejects.toThrow(
      'cannot migrate the customers of journey "sales" to journey "other": a migration keeps the journey\'s id',
    );
    expect(await versions()).toEqual([2, 2, 2]);
  });

  it("pull writes the published journeys as YAML that validates and pushes back unchanged", async () => {
    const out = `${files.dir}/pulled`;
    const r = await cli("pull", "--url", url, "--key", key, "--out", out);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`${out}/sales.yaml: journey "sales" version 2`]);
    expect(fs.readFileSync(`${out}/sales.yaml`, "utf8")).toContain("id: webinar");
    expect((await cli("validate", `${out}/sales.yaml`)).code).toBe(0);
    const back = await cli("push", `${out}/sales.yaml`, "--url", url, "--key", key);
    expect(back.out[0]).toBe(`${out}/sales.yaml: journey "sales" unchanged (version 2)`);
    const printed = await cli("pull", "--url", url, "--key", key);
    expect(printed.out[0]).toMatch(/^# sales version 2\nid: sales\nversion: 2\n/);
  });

  it("says which: an unreachable gateway, a refused key, invalid files, or the gateway's own objections", async () => {
    const port = await closedPort();
    const down = await cli("push", files.file("sales.yaml"), "--url", `http://127.0.0.1:${port}`, "--key", key);
    expect([down.code, down.err[0]]).toEqual([1, `cannot reach http://127.0.0.1:${port}/graphql: connect ECONNREFUSED 127.0.0.1:${port}`]);
    const pullDown = await cli("pull", "--url", `http://127.0.0.1:${port}/graphql`, "--key", key);
    expect([pullDown.code, pullDown.err[0]]).toEqual([1, `cannot reach http://127.0.0.1:${port}/graphql: connect ECONNREFUSED 127.0.0.1:${port}`]);
    const refused = await cli("push", files.file("sales.yaml"), "--url", url, "--key", "sk_not-a-key-of-this-gateway");
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toMatch(new RegExp(`^the gateway at ${url.replace(/[.?]/g, "\\$&")} refused the key \\(UNAUTHENTICATED\\)`));
    const pullRefused = await cli("pull", "--url", url, "--key", "sk_not-a-key-of-this-gateway");
    expect(pullRefused.err[0]).toMatch(/refused the key \(UNAUTHENTICATED\)/);
    const invalid = await cli("push", files.file("bad.yaml"), files.file("sales.yaml"), "--url", url, "--key", key);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toEqual([expect.stringMatching(/bad\.yaml: entry: unknown stage "nowhere"/), "nothing was pushed: fix the files first (sopline validate)"]);
    const both = await cli("push", files.file("sales.yaml"), "--url", url, "--key", key, "--migrate", "--dry-run");
    expect([both.code, both.err[0]]).toEqual([2, "sopline push: --migrate and --dry-run exclude each other (dry-run first, then push --migrate)"]);
    const noUrl = await cli("push", files.file("sales.yaml"), "--key", key);
    expect([noUrl.code, noUrl.err[0]]).toEqual([2, "sopline push: --url <gateway> is required (or SOPLINE_URL), e.g. --url http://localhost:4000/graphql"]);
  });
});

/** A port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
