// A pause that commits while a scheduler batch is writing: the batch read no pause, so its steps
// would be recorded as due after the pause held the others. The pause waits for the batch
// (lockGates) and then holds its steps too. PostgreSQL only: PGlite has one connection, so there
// the pause simply runs after the batch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScheduler } from "../../src/engine/scheduler.js";
import { pauseJourney } from "../../src/live-sops/pause.js";
import { ENROLL, HOUR, type Harness, START, UPSERT_JOURNEY, createHarness, ok } from "../graphql/helpers.js";

const journey = { id: "race", version: 1, timezone: "Asia/Shanghai", entry: "s", stages: [{ id: "s", sop: [{ id: "a", after: "1h", channel: "sms", content: "a" }] }] };

describe("pausing while a scheduler batch runs on postgres", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness("postgres");
  });
  afterAll(() => h?.close());

  it("holds the steps the batch records, once the batch commits", async () => {
    h.clock.now = START;
    const ws = await h.workspace();
    ok(await ws.api(UPSERT_JOURNEY, { d: journey }));
    for (const c of ["r0", "r1", "r2"]) ok(await ws.api(ENROLL, { c, j: "race" }));
    // Started from the batch's crash point, but run outside its transaction's context (callbacks
    // registered here): the pause and the lock probe use other connections, as another request would.
    let start!: () => void;
    const started = new Promise<void>((r) => (start = r));
    const pause = started.then(() => pauseJourney(h.test.db, h.gateway.registry, { workspaceId: ws.id, journeyKey: "race", actor: { kind: "apiKey", id: null }, now: h.clock.now }));
    // Until the pause waits on the batch's lock (polled, no timers): it must not see the batch's rows before they commit.
    let paused = false;
    void pause.finally(() => (paused = true));
    const waiting = started.then(async () => {
      // (or until it finished without waiting: then it ran before the batch committed and the test fails below)
      while (!paused) {
        const [w] = await h.test.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
        if (w!.n > 0) return;
        await new Promise((r) => setImmediate(r));
      }
    });
    let fired = false;
    const scheduler = createScheduler({
      db: h.test.db,
      registry: h.gateway.registry,
      clock: () => h.clock.now,
      async onPoint(point) {
        if (point !== "before-commit" || fired) return;
        fired = true;
        start();
        await waiting;
      },
    });
    await scheduler.runOnce(new Date(START.getTime() + HOUR + 1_000));
    const result = await pause;
    expect(result).toMatchObject({ changed: true, steps: 3 });
    const rows = await h.test.db.sql.query<{ status: string }>(`SELECT status FROM deliveries WHERE workspace_id = $1`, [ws.id]);
    expect(rows.map((r) => r.status)).toEqual(["held", "held", "held"]);
  });
});
