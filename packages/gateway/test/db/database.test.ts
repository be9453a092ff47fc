import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/client";
import { defaultMigrationsDir, migrate, readMigrations } from "../../src/db/migrate";
import { openDatabase, type Database } from "../../src/db/open-database";
import { createTestDatabase, type TestDatabase } from "../../src/db/test-databases";
import { CLAIM_SQL, seedCustomers, seedEnrollments, seedWorkspace } from "./helpers";

const TABLES = [
  "assignment_history", "audit_log", "board_count_deltas", "board_count_zones", "board_counts", "contents", "customer_tags", "customers", "deliveries", "do_not_disturb", "enrollments",
  "events", "holiday_calendars", "journey_pauses", "journeys", "marketing_touches", "mass_send_targets", "mass_sends",
  "metric_customer_journeys", "metric_daily", "metric_event_daily", "metric_targets", "metric_touch_histogram", "metric_touches",
  "metric_watermarks", "moment_post_members", "moment_posts", "opportunities", "segment_rules", "staff", "staff_sessions",
  "stage_count_deltas", "stage_counts", "subscribe_quotas", "tasks", "tracked_deliveries", "tracked_message_opens", "tracked_messages", "wecom_callbacks", "workspaces",
];

describe.each(["pglite", "postgres"] as const)("database on %s", (kind) => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  async function fresh(options?: Parameters<typeof createTestDatabase>[1]): Promise<TestDatabase> {
    const t = await createTestDatabase(kind, options);
    cleanups.push(() => t.drop());
    return t;
  }
  async function reopen(t: TestDatabase, options: { migrationsDir?: string; log?: (m: string) => void } = {}): Promise<Database> {
    await t.db.close();
    const db = await openDatabase({ url: t.url, ...options });
    t.db = db; // drop() closes whatever is open last
    return db;
  }

  it("applies the migrations to an empty database, as prisma migrate deploy records them, once", async () => {
    const { db } = await fresh({ open: { migrate: "skip" } });
    const files = readMigrations();
    expect(await migrate(db.pool)).toEqual(files.map((f) => f.name));
    expect(await migrate(db.pool)).toEqual([]);

    const rows = await db.sql.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    const first = fs.readFileSync(path.join(defaultMigrationsDir(), files[0]!.name, "migration.sql"));
    expect(rows[0]!.checksum).toBe(createHash("sha256").update(first).digest("hex"));
    expect(rows.every((r) => r.finished_at instanceof Date && r.applied_steps_count === 1)).toBe(true);

    const tables = await db.sql.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(TABLES);
    const [wake] = await db.sql.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = 'enrollments_wake_idx'`);
    expect(wake?.indexdef).toMatch(/WHERE \(\(next_wake_at IS NOT NULL\) AND \(ended_at IS NULL\)\)/);
  });

  it("keeps data across close and reopen, and reopening applies nothing", async () => {
    const t = await fresh({ persistent: true });
    const ws = await t.db.prisma.workspace.create({ data: { name: "acme", apiKeyHash: "h1", settings: { unknownCustomers: "reject" } } });
    const task = await t.db.prisma.task.create({
      data: {
        workspace: { connect: { id: ws.id } },
        staff: { create: { workspaceId: ws.id, externalId: "zhangsan", name: "Zhang San" } },
        customer: { create: { workspaceId: ws.id, externalId: "c1" } },
        kind: "call",
        title: "Call about the trial",
        dueAt: new Date("2026-01-02T01:00:00.123Z"),
      },
    });
    expect(task.seq).toBeNull(); // numbered when its transaction commits (task feed order)
    const { seq } = await t.db.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(typeof seq).toBe("bigint");

    const logs: string[] = [];
    const db = await reopen(t, { log: (m) => logs.push(m) });
    expect(logs.filter((m) => m.startsWith("applied"))).toEqual([]);
    const again = await db.prisma.workspace.findUniqueOrThrow({ where: { apiKeyHash: "h1" }, include: { tasks: true } });
    expect(again.settings).toEqual({ unknownCustomers: "reject" });
    expect(again.tasks[0]?.dueAt.toISOString()).toBe("2026-01-02T01:00:00.123Z");
    expect(again.tasks[0]?.seq).toBe(seq);
  });

  it("raises P2002 on a duplicate delivery key and on a duplicate enrollment without staff", async () => {
    const { db } = await fresh();
    const workspaceId = await seedWorkspace(db.sql);
    const [customerId] = await seedCustomers(db.sql, workspaceId, 1);
    const enrollment = await db.prisma.enrollment.create({
      data: { workspaceId, customerId: customerId!, journeyKey: "b2b-nurture", journeyVersion: 1, stage: "nurture-new" },
    });
    const delivery = {
      workspaceId, enrollmentId: enrollment.id, customerId: customerId!, key: "e1:nurture-new:1:day1",
      journeyKey: "b2b-nurture", stage: "nurture-new", stepId: "day1", dueAt: new Date(), channel: "private_chat", mode: "auto",
    };
    await db.prisma.delivery.create({ data: delivery });
    const duplicate = await db.prisma.delivery.create({ data: delivery }).catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((duplicate as Prisma.PrismaClientKnownRequestError).code).toBe("P2002");

    // staffId is null: owner_key '' still makes the second enrollment collide
    const twin = await db.prisma.enrollment
      .create({ data: { workspaceId, customerId: customerId!, journeyKey: "b2b-nurture", journeyVersion: 2, stage: "x" } })
      .catch((e: unknown) => e);
    expect((twin as Prisma.PrismaClientKnownRequestError).code).toBe("P2002");

    // raw SQL sees the same constraint with the PostgreSQL error code
    const raw = await db.sql
      .query("INSERT INTO deliveries (workspace_id, enrollment_id, customer_id, key, journey_key, stage, step_id, due_at, channel, mode) VALUES ($1,$2,$3,$4,'j','s','x',now(),'c','auto')", [workspaceId, enrollment.id, customerId, delivery.key])
      .catch((e: unknown) => e);
    expect(raw).toMatchObject({ code: "23505", constraint: "deliveries_pkey" });
  });

  it("inserts in batches with unnest and claims due enrollments exactly once with SKIP LOCKED", async () => {
    const { db } = await fresh();
    const workspaceId = await seedWorkspace(db.sql);
    const customers = await seedCustomers(db.sql, workspaceId, 3000);
    const now = Date.now();
    const past = (i: number) => new Date(now - 1000 * (i + 1));
    const due = await seedEnrollments(db.sql, workspaceId, customers.slice(0, 2000).map((c, i) => ({ customerId: c, nextWakeAt: past(i) })));
    await seedEnrollments(db.sql, workspaceId, customers.slice(2000, 2500).map((c) => ({ customerId: c, nextWakeAt: new Date(now + 3_600_000) })));
    await seedEnrollments(db.sql, workspaceId, customers.slice(2500).map((c, i) => ({ customerId: c, nextWakeAt: past(i), endedAt: new Date(now) })));

    // two workers racing; on PGlite they take turns on its single connection
    const worker = async () => {
      const claimed: string[] = [];
      for (;;) {
        const rows = await db.sql.query<{ id: string }>(CLAIM_SQL, [new Date(now), new Date(now + 30_000), 300]);
        if (rows.length === 0) return claimed;
        claimed.push(...rows.map((r) => r.id));
      }
    };
    const [a, b] = await Promise.all([worker(), worker()]);
    const all = [...a!, ...b!];
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(due));
    const [left] = await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM enrollments WHERE next_wake_at IS NOT NULL");
    expect(left?.n).toBe(1000); // 500 in the future + 500 ended
  });

  it.runIf(kind === "postgres")("SKIP LOCKED hands concurrent transactions disjoint rows", async () => {
    const { db } = await fresh();
    const workspaceId = await seedWorkspace(db.sql);
    const customers = await seedCustomers(db.sql, workspaceId, 30);
    await seedEnrollments(db.sql, workspaceId, customers.map((c, i) => ({ customerId: c, nextWakeAt: new Date(Date.now() - 1000 * (i + 1)) })));
    const [a, b] = [await db.pool.connect(), await db.pool.connect()];
    try {
      const claim = async (c: typeof a) => (await c.query<{ id: string }>(CLAIM_SQL, [new Date(), new Date(), 20])).rows.map((r) => r.id);
      await a.query("BEGIN");
      await b.query("BEGIN");
      const first = await claim(a);
      const second = await claim(b); // does not wait for a: takes the 10 rows a has not locked
      expect(first).toHaveLength(20);
      expect(second).toHaveLength(10);
      expect(second.filter((id) => first.includes(id))).toEqual([]);
      await a.query("COMMIT");
      await b.query("COMMIT");
    } finally {
      a.release();
      b.release();
    }
  });

  it("answers the next statements normally after a statement outside a transaction failed", async () => {
    // On PGlite a failed parameterised statement used to cost the pool its one connection, and the
    // next one or two statements failed with it ("Connection terminated unexpectedly").
    const { db } = await fresh();
    const workspaceId = await seedWorkspace(db.sql);
    const failures: Array<() => Promise<unknown>> = [
      () => db.sql.query("SELECT 1 / $1::int", [0]),
      () => db.sql.query("INSERT INTO workspaces (name, api_key_hash) SELECT name, api_key_hash FROM workspaces WHERE id = $1 RETURNING id", [workspaceId]),
      () => db.sql.execute("UPDATE workspaces SET settings = $1::jsonb WHERE id = $2", ["{not json", workspaceId]),
      () => db.pool.query("SELECT $1::timestamptz", ["yesterday-ish"]),
    ];
    for (const fail of failures) {
      await expect(fail()).rejects.toHaveProperty("code");
      expect(await db.sql.query("SELECT $1::int AS n", [7])).toEqual([{ n: 7 }]);
      expect((await db.pool.query("SELECT name FROM workspaces WHERE id = $1", [workspaceId])).rows).toEqual([{ name: "acme" }]);
      expect(await db.prisma.workspace.count()).toBe(1);
    }
  });

  it("runs raw transactions atomically and refuses the outer handle inside one", async () => {
    const { db } = await fresh();
    const failed = db.sql.transaction(async (tx) => {
      await tx.query("INSERT INTO workspaces (name, api_key_hash) VALUES ('gone', 'tx-1')");
      throw new Error("boom");
    });
    await expect(failed).rejects.toThrow("boom");
    const outer = db.sql.transaction(async () => db.sql.query("SELECT 1"));
    await expect(outer).rejects.toThrow(/use the `tx`/);
    const id = await db.sql.transaction(async (tx) => {
      const [row] = await tx.query<{ id: string }>("INSERT INTO workspaces (name, api_key_hash) VALUES ('kept', 'tx-2') RETURNING id");
      expect(await tx.execute("UPDATE workspaces SET name = 'kept2' WHERE id = $1", [row!.id])).toBe(1);
      return row!.id;
    });
    const names = await db.sql.query<{ name: string }>("SELECT name FROM workspaces WHERE api_key_hash IN ('tx-1', 'tx-2')");
    expect(names).toEqual([{ name: "kept2" }]);
    // Prisma interactive transactions share the same pool (one connection on PGlite)
    await db.prisma.$transaction(async (tx) => {
      await tx.workspace.update({ where: { id }, data: { name: "kept3" } });
    });
    expect((await db.prisma.workspace.findUniqueOrThrow({ where: { id } })).name).toBe("kept3");
  });

  it("refuses a migration edited after it was applied, and rolls back a failing one", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sopline-migrations-"));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    fs.cpSync(defaultMigrationsDir(), dir, { recursive: true });
    const t = await fresh({ persistent: true, open: { migrationsDir: dir } });
    const [init] = readMigrations(dir);
    const initFile = path.join(dir, init!.name, "migration.sql");

    fs.appendFileSync(initFile, "\n-- an innocent-looking edit\n");
    await t.db.close();
    await expect(openDatabase({ url: t.url, migrationsDir: dir })).rejects.toThrow(
      new RegExp(`Migration ${init!.name} was modified after it was applied`),
    );

    fs.writeFileSync(initFile, init!.sql);
    fs.mkdirSync(path.join(dir, "29990101000000_broken"));
    fs.writeFileSync(path.join(dir, "29990101000000_broken", "migration.sql"), 'CREATE TABLE "broken_probe" (id int);\nSELECT 1/0;\n');
    await expect(openDatabase({ url: t.url, migrationsDir: dir })).rejects.toThrow(/29990101000000_broken failed and was rolled back/);

    const db = await openDatabase({ url: t.url }); // the original folder: still opens (and the lock was released)
    t.db = db;
    const [probe] = await db.sql.query<{ t: string | null }>("SELECT to_regclass('broken_probe')::text AS t");
    expect(probe?.t).toBeNull();
    const names = await db.sql.query<{ migration_name: string }>("SELECT migration_name FROM _prisma_migrations ORDER BY migration_name");
    expect(names.map((n) => n.migration_name)).toEqual(readMigrations().map((m) => m.name));
  });

  it.runIf(kind === "postgres")("migrates once when several gateways start together", async () => {
    const t = await fresh({ open: { migrate: "skip" } });
    const logs: string[] = [];
    const dbs = await Promise.all([1, 2, 3].map(() => openDatabase({ url: t.url, log: (m) => logs.push(m) })));
    cleanups.push(() => Promise.all(dbs.map((d) => d.close())));
    expect(logs.filter((m) => m.startsWith("applied"))).toHaveLength(readMigrations().length);
    const [count] = await t.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM _prisma_migrations");
    expect(count?.n).toBe(readMigrations().length);
  });

  it.runIf(kind === "pglite")("runs the embedded database with PGlite's own settings and no full-page images in the WAL", async () => {
    const t = await fresh({ persistent: true });
    const setting = async (name: string) => Object.values((await t.db.sql.query(`SHOW ${name}`))[0]!)[0];
    expect(await setting("full_page_writes")).toBe("off");
    expect(await setting("fsync")).toBe("off"); // PGlite's default, which makes full-page images moot
    expect(await setting("search_path")).toBe("public");
  });

  it.runIf(kind === "postgres")("opens PostgreSQL connections with JIT off (compiling cost more than running the gateway's statements)", async () => {
    const t = await fresh();
    const setting = async (name: string) => Object.values((await t.db.sql.query(`SHOW ${name}`))[0]!)[0];
    expect(await setting("jit")).toBe("off");
    expect(await t.db.sql.transaction(async (tx) => Object.values((await tx.query(`SHOW jit`))[0]!)[0])).toBe("off");
  });
});
