// The common sink: one row per fired step in deliveries(key primary key).
// Duplicates = rows that already existed; misses = expected keys with no row.

export const DELIVERIES_DDL = "CREATE TABLE deliveries (key text PRIMARY KEY)";

export type Query = (text: string, params?: unknown[]) => Promise<{ rows: any[]; rowCount?: number | null; affectedRows?: number }>;

export class DeliveryCounter {
  attempted = 0;
  inserted = 0;
  lastCommitAt = 0;

  record(attempted: number, inserted: number): void {
    this.attempted += attempted;
    this.inserted += inserted;
    this.lastCommitAt = Date.now();
  }

  get duplicates(): number {
    return this.attempted - this.inserted;
  }
}

/** Insert a batch of keys; ON CONFLICT keeps a second firing visible as a duplicate, not an error. */
export async function insertDeliveries(q: Query, keys: string[], counter: DeliveryCounter): Promise<void> {
  const r = await q("INSERT INTO deliveries (key) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", [keys]);
  counter.record(keys.length, r.rowCount ?? r.affectedRows ?? 0);
}

/** Distinct delivered keys, counted by the database itself. */
export async function countDelivered(q: Query): Promise<number> {
  const r = await q("SELECT count(*)::int AS c FROM deliveries");
  return Number(r.rows[0].c);
}
