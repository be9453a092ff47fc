// Run as its own process by pglite-memory.test.ts: a fresh heap, so the count of WebAssembly
// memories is not disturbed by what earlier tests in a shared worker left for the collector.
import path from "node:path";
import { closePglite, openPglite } from "../../src/db/pglite";
import { wasmResident } from "../../../../test/helpers/proc-memory";

// Only memories of a database's size count (PGlite also maps a few KiB of small helper memories).
const large = () => wasmResident(process.pid).filter((bytes) => bytes >= 2 ** 20).length;
const before = large();
const handle = await openPglite(path.join(process.argv[2]!, "db"));
const added = large() - before;
await handle.pool.query(`CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)`);
await closePglite(handle);
console.log(JSON.stringify({ added }));
