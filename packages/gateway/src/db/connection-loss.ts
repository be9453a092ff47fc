// A database connection can end at any moment: failover, session timeout, proxy restart,
// pg_terminate_backend. That must fail only the work on it, never the process.
import type pg from "pg";

// SQLSTATE class 08 (connection exception), 57P01-03 (the server ended the session: admin
// command, crash, starting up), socket errors, and Prisma's codes for the same (P1001 not
// reachable, P1002 / P1008 timed out, P1017 the server closed the connection).
const CODES = new Set([
  "08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03",
  "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "P1001", "P1002", "P1008", "P1017",
]);
// node-postgres reports a dropped socket with plain Errors (no code).
const MESSAGES = /Connection terminated|not queryable|terminating connection|server closed the connection|Server has closed the connection|ConnectionClosed|DatabaseNotReachable/i;

/**
 * True when `err` (or an error it wraps: `cause`, GraphQL's `originalError`) says the database
 * connection was lost: the work did not complete, and redoing it is safe wherever it is idempotent.
 */
export function isConnectionLoss(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && CODES.has(code)) return true;
    if (typeof message === "string" && MESSAGES.test(message)) return true;
    e = (e as { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return false;
}

/**
 * pg-pool listens for 'error' on idle clients only; a client that is checked out (inside a
 * transaction, or between two of Prisma's statements) emits an unhandled 'error' when its
 * connection drops, and Node ends the process. Every client the pool makes gets a listener for
 * its whole life: the statement in flight fails, the pool discards the client on release, and
 * the next checkout connects anew.
 */
export function survivePoolConnectionLoss(pool: pg.Pool, log?: (message: string) => void): void {
  pool.on("connect", (client) => {
    client.on("error", (err) => log?.(`database connection lost: ${err.message}`));
  });
  // pg-pool re-emits an idle client's error here; without a listener it would end the process.
  // The client's own listener above has logged it already.
  pool.on("error", () => {});
}
