// The one raw-SQL interface for hot paths (claims, bulk inserts with unnest), identical on
// PGlite and PostgreSQL because both are reached through a node-postgres pool.
import { AsyncLocalStorage } from "node:async_hooks";
import type pg from "pg";

export interface SqlRunner {
  /** Runs one parameterised statement ($1, $2, ...) and returns its rows. */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs one statement and returns the affected row count. */
  execute(text: string, params?: readonly unknown[]): Promise<number>;
}

export interface Sql extends SqlRunner {
  /** Runs `fn` in one transaction on one connection; commits if it resolves, rolls back if it throws. */
  transaction<R>(fn: (tx: SqlRunner) => Promise<R>): Promise<R>;
}

function runner(client: pg.Pool | pg.PoolClient): SqlRunner {
  return {
    async query<T>(text: string, params?: readonly unknown[]) {
      return (await client.query(text, params as unknown[] | undefined)).rows as T[];
    },
    async execute(text: string, params?: readonly unknown[]) {
      return (await client.query(text, params as unknown[] | undefined)).rowCount ?? 0;
    },
  };
}

export function createSql(pool: pg.Pool): Sql {
  // Marks code running inside transaction(): PGlite has a single connection, so a statement
  // sent to the pool from inside a transaction would wait forever for it. On PostgreSQL it
  // would silently run outside the transaction. Either way it is a bug: fail fast on both.
  const inTransaction = new AsyncLocalStorage<true>();
  const outer = runner(pool);
  const guard = () => {
    if (inTransaction.getStore()) throw new Error("Inside sql.transaction() use the `tx` it passes, not the outer sql");
  };
  return {
    async query<T>(text: string, params?: readonly unknown[]) {
      guard();
      return outer.query<T>(text, params);
    },
    async execute(text, params) {
      guard();
      return outer.execute(text, params);
    },
    async transaction(fn) {
      guard();
      const client = await pool.connect();
      let broken: unknown;
      try {
        await client.query("BEGIN");
        const result = await inTransaction.run(true, () => fn(runner(client)));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch((e: unknown) => (broken = e));
        throw err;
      } finally {
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
  };
}
