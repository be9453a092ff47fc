// One-off measurement (not a test): batched insert with unnest and the scheduler's
// claim-and-update loop on PGlite (directory) and PostgreSQL.
//   npx tsx packages/gateway/test/db/measure-claim.ts [rows=100000] [batch=1000]
import { createTestDatabase, type TestDatabaseKind } from "../../src/db/test-databases";
import { CLAIM_SQL, seedCustomers, seedEnrollments, seedWorkspace } from "./helpers";

const rows = Number(process.argv[2] ?? 100_000);
const batch = Number(process.argv[3] ?? 1000);

async function measure(kind: TestDatabaseKind): Promise<void> {
  const t = await createTestDatabase(kind, { persistent: true });
  try {
    const { sql } = t.db;
    const workspaceId = await seedWorkspace(sql);
    const now = Date.now();
    let started = performance.now();
    for (let i = 0; i < rows; i += 10_000) {
      const n = Math.min(10_000, rows - i);
      await sql.transaction(async (tx) => {
        const customers = await seedCustomers(tx, workspaceId, n, `c${i}-`);
        await seedEnrollments(tx, workspaceId, customers.map((c, j) => ({ customerId: c, nextWakeAt: new Date(now - (i + j) * 10) })));
      });
    }
    const insertSeconds = (performance.now() - started) / 1000;
    await sql.query("ANALYZE enrollments");

    started = performance.now();
    let claimed = 0;
    let batches = 0;
    for (;;) {
      const got = await sql.query(CLAIM_SQL, [new Date(now), new Date(now + 30_000), batch]);
      if (got.length === 0) break;
      claimed += got.length;
      batches++;
    }
    const claimSeconds = (performance.now() - started) / 1000;
    if (claimed !== rows) throw new Error(`claimed ${claimed} of ${rows}`);
    console.log(
      `${kind.padEnd(8)} insert ${rows} customers+enrollments (unnest, 10k/statement): ${Math.round((2 * rows) / insertSeconds)} rows/s | ` +
        `claim ${claimed} in ${batches} batches of ${batch}: ${claimSeconds.toFixed(2)} s = ${Math.round(claimed / claimSeconds)} rows/s`,
    );
  } finally {
    await t.drop();
  }
}

for (const kind of ["pglite", "postgres"] as const) await measure(kind);
