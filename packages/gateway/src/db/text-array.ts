/**
 * A PostgreSQL array literal ('{"a","b",NULL}') for a `$n::text[]`-style parameter (also fine for
 * timestamptz[] of ISO strings and int[]). node-postgres builds the same literal, but with two
 * regular-expression replaces per element; the hot paths send tens of thousands of elements per
 * batch, mostly ids that need no escaping, and on the embedded database that time is the
 * database's too (one thread).
 */
export function textArray(values: ReadonlyArray<string | number | null>): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    const v = values[i];
    if (v === null || v === undefined) out += "NULL";
    else if (typeof v === "number") out += String(v);
    else out += v.indexOf('"') === -1 && v.indexOf("\\") === -1 ? `"${v}"` : `"${v.replace(/[\\"]/g, "\\$&")}"`;
  }
  return `${out}}`;
}
