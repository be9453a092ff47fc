/**
 * The tracked_deliveries table: written when a delivery is rendered with tracked links (one
 * statement per rendered batch), read when a link is opened (by id, cached: rows never change).
 */
import type { SqlRunner } from "../db/index.js";
import { textArray } from "../db/text-array.js";

/** A delivery about to be rendered, with the links found in its content (in walk order). */
export interface TrackInput {
  deliveryKey: string;
  workspaceId: string;
  customerId: string;
  journeyKey: string;
  stage: string;
  stepId: string;
  content: string | null;
  links: string[];
}

/** What an open needs to know about the link's delivery. */
export interface TrackedDelivery {
  id: bigint;
  deliveryKey: string;
  workspaceId: string;
  customerId: string;
  /** The customer's id as callers know it: what the event ingest resolves. */
  customerExternalId: string;
  /** Their official-account openid, to tell their own open from a forwarded link's. */
  customerOpenId: string | null;
  journeyKey: string;
  stage: string;
  stepId: string;
  content: string | null;
  links: string[];
}

// A retried render (the delivery worker is at-least-once) meets its row and gets the same id and
// the links stored the first time, so every token already sent keeps its target.
const TRACK = `
INSERT INTO tracked_deliveries (delivery_key, workspace_id, customer_id, journey_key, stage, step_id, content, links)
SELECT k, w, c, j, s, st, ct, ARRAY(SELECT jsonb_array_elements_text(l))
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[]) AS u(k, w, c, j, s, st, ct, l)
ON CONFLICT (delivery_key) DO UPDATE SET delivery_key = EXCLUDED.delivery_key
RETURNING id, delivery_key, links`;

/** Records the deliveries (once per key) and returns each key's row id and stored links. */
export async function trackDeliveries(sql: SqlRunner, items: readonly TrackInput[]): Promise<Map<string, { id: bigint; links: string[] }>> {
  if (items.length === 0) return new Map();
  const rows = await sql.query<{ id: string; delivery_key: string; links: string[] | null }>(TRACK, [
    textArray(items.map((i) => i.deliveryKey)),
    textArray(items.map((i) => i.workspaceId)),
    textArray(items.map((i) => i.customerId)),
    textArray(items.map((i) => i.journeyKey)),
    textArray(items.map((i) => i.stage)),
    textArray(items.map((i) => i.stepId)),
    textArray(items.map((i) => i.content)),
    textArray(items.map((i) => JSON.stringify(i.links))),
  ]);
  return new Map(rows.map((r) => [r.delivery_key, { id: BigInt(r.id), links: r.links ?? [] }]));
}

const LOAD = `
SELECT t.id, t.delivery_key, t.workspace_id, t.customer_id, c.external_id, c.oa_open_id, t.journey_key, t.stage, t.step_id, t.content, t.links
FROM tracked_deliveries t JOIN customers c ON c.id = t.customer_id
WHERE t.id = ANY($1::bigint[])`;

/** The tracked deliveries with these ids (an id with no row, or whose customer is gone, is absent). */
export async function loadTrackedMany(sql: SqlRunner, ids: readonly bigint[]): Promise<Map<bigint, TrackedDelivery>> {
  const rows = await sql.query<{
    id: string; delivery_key: string; workspace_id: string; customer_id: string; external_id: string; oa_open_id: string | null;
    journey_key: string; stage: string; step_id: string; content: string | null; links: string[] | null;
  }>(LOAD, [textArray(ids.map(String))]);
  return new Map(
    rows.map((r) => [BigInt(r.id), {
      id: BigInt(r.id), deliveryKey: r.delivery_key, workspaceId: r.workspace_id, customerId: r.customer_id, customerExternalId: r.external_id,
      customerOpenId: r.oa_open_id, journeyKey: r.journey_key, stage: r.stage, stepId: r.step_id, content: r.content, links: r.links ?? [],
    }]),
  );
}

/** The tracked delivery with this id (null when there is none, or its customer is gone). */
export async function loadTracked(sql: SqlRunner, id: bigint): Promise<TrackedDelivery | null> {
  return (await loadTrackedMany(sql, [id])).get(id) ?? null;
}

/**
 * loadTracked behind a bounded cache (rows are immutable, so nothing goes stale except a deleted
 * customer, whose opens then keep failing in the ingest as UNKNOWN_CUSTOMER). Misses are cached too
 * (as null) so a flood of valid-looking tokens of a deleted row stays off the database. The ids
 * missed in one turn of the event loop are read together in one statement (a burst of first opens
 * after a mass send is one query per turn, not one per open), `maxPerQuery` at most in each.
 */
export function cachedTrackedLoader(sql: SqlRunner, maxEntries = 50_000, maxPerQuery = 500): (id: bigint) => Promise<TrackedDelivery | null> {
  const cache = new Map<bigint, Promise<TrackedDelivery | null>>();
  let pending: Array<{ id: bigint; resolve: (t: TrackedDelivery | null) => void; reject: (err: unknown) => void }> = [];
  const flush = () => {
    const all = pending;
    pending = [];
    for (let i = 0; i < all.length; i += maxPerQuery) {
      const group = all.slice(i, i + maxPerQuery);
      loadTrackedMany(sql, group.map((p) => p.id)).then(
        (found) => {
          for (const p of group) p.resolve(found.get(p.id) ?? null);
        },
        (err: unknown) => {
          for (const p of group) p.reject(err);
        },
      );
    }
  };
  return (id) => {
    const hit = cache.get(id);
    if (hit) return hit;
    const loading = new Promise<TrackedDelivery | null>((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ id, resolve, reject });
    });
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(id, loading);
    loading.catch(() => cache.delete(id));
    return loading;
  };
}
