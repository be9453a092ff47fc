// Driver adapter for the Prisma CLI (Wasm schema engine: migrate diff/deploy/status, db pull).
// - DATABASE_URL=postgres://… → that server, through adapter-pg with the catalog-type fix below.
// - no DATABASE_URL → a throw-away in-memory PGlite, enough for `migrate diff` between schema files
//   (--from-empty / --from-schema-datamodel), which connects but inspects nothing.
// - the shadow database (`migrate diff --from-migrations`) is a temporary database created on the
//   DATABASE_URL server and dropped afterwards: adapter-pg's own shadow connection reuses the main
//   database and fails. PGlite cannot be the shadow: it is PostgreSQL 18, and the 6.19 schema
//   engine panics ("RuntimeError: unreachable") describing it, right after reading pg_constraint
//   (PG 18 stores NOT NULL constraints there).
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { closePglite, openPglite } from "./pglite";

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;

// The schema engine reads catalog columns of type `name` (OID 19) and `"char"` (OID 18), which
// adapter-pg 6.19 cannot deserialize (prisma/orm#27403). Both arrive as plain strings, so
// relabelling them as `text` (OID 25) is enough. The application itself never needs this.
const relabel: Record<number, number> = { 18: 25, 19: 25 };

function fixFields<R>(result: R): R {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results as Array<{ fields?: Array<{ dataTypeID: number }> }>) {
    for (const field of r?.fields ?? []) field.dataTypeID = relabel[field.dataTypeID] ?? field.dataTypeID;
  }
  return result;
}

function patchClient(client: pg.PoolClient): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      // callback style, used by pool.query()
      args[args.length - 1] = (err: unknown, res: unknown) => last(err, res === undefined ? res : fixFields(res));
      return original(...args);
    }
    const out = original(...args);
    return out instanceof Promise ? out.then(fixFields) : out;
  };
}

async function connectPostgres(url: string): Promise<Adapter> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("connect", patchClient);
  return new PrismaPg(pool, { disposeExternalPool: true }).connect();
}

async function connectShadow(url: string | undefined): Promise<Adapter> {
  if (!url) throw new Error("A shadow database (migrate diff --from-migrations) needs DATABASE_URL=postgres://…");
  const admin = new pg.Client({ connectionString: url });
  const name = `prisma_shadow_${process.pid}_${Date.now()}`;
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const shadowUrl = new URL(url);
  shadowUrl.pathname = `/${name}`;
  const adapter = await connectPostgres(shadowUrl.toString());
  const dispose = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    await dispose();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  };
  return adapter;
}

async function connectScratchPglite(): Promise<Adapter> {
  const handle = await openPglite("memory://");
  handle.pool.on("connect", patchClient);
  const adapter = await new PrismaPg(handle.pool).connect();
  const dispose = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    await dispose();
    await closePglite(handle); // the CLI process only exits once PGlite is closed
  };
  return adapter;
}

export function prismaCliAdapter(url: string | undefined): PrismaPg {
  if (url && !/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(
      `The Prisma CLI works on PostgreSQL (DATABASE_URL=postgres://…) or, without DATABASE_URL, on a scratch ` +
        `in-memory database. PGlite directories are migrated by the gateway when it opens them (got ${url}).`,
    );
  }
  const factory = {
    provider: "postgres" as const,
    adapterName: "@prisma/adapter-pg",
    connect: () => (url ? connectPostgres(url) : connectScratchPglite()),
    connectToShadowDb: () => connectShadow(url),
  };
  return factory as unknown as PrismaPg;
}
