import type { SqlRunner } from "./sql.js";

const UNIQUE_VIOLATION = "23505";

/**
 * Runs `plain` (an INSERT without ON CONFLICT) and, only if it hits a unique key already stored,
 * undoes it to a savepoint and runs `skipping` (the same INSERT with ON CONFLICT DO NOTHING).
 * ON CONFLICT makes PostgreSQL insert every row speculatively (probe, insert, confirm: one more
 * WAL record per row), which costs a fifth of a bulk insert; where stored keys are the exception
 * (retries), paying twice for the rare batch that has one is cheaper. Both statements take the
 * same parameters; the rows they return are returned. The caller's transaction stays usable.
 */
export async function insertSkippingStored<T>(tx: SqlRunner, plain: string, skipping: string, params: readonly unknown[]): Promise<T[]> {
  await tx.execute("SAVEPOINT insert_skipping_stored");
  let rows: T[];
  try {
    rows = await tx.query<T>(plain, params);
  } catch (err) {
    if ((err as { code?: unknown }).code !== UNIQUE_VIOLATION) throw err;
    await tx.execute("ROLLBACK TO SAVEPOINT insert_skipping_stored");
    rows = await tx.query<T>(skipping, params);
  }
  await tx.execute("RELEASE SAVEPOINT insert_skipping_stored");
  return rows;
}
