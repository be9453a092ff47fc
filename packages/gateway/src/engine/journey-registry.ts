import { Journey, type JourneyDefinition } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";

const cacheKey = (workspaceId: string, key: string, version: number) => `${workspaceId}\u0000${key}\u0000${version}`;

/**
 * Compiled journeys by (workspace, key, version). Definitions are immutable once stored (a change
 * is a new version), so a compiled journey can be cached for the life of the process.
 */
export class JourneyRegistry {
  private readonly journeys = new Map<string, Journey>();

  /** Makes sure every (workspace, key, version) in `wanted` is compiled; loads missing ones with `sql`. */
  async load(sql: SqlRunner, wanted: Iterable<{ workspaceId: string; key: string; version: number }>): Promise<void> {
    const missing = new Map<string, { workspaceId: string; key: string; version: number }>();
    for (const w of wanted) {
      const k = cacheKey(w.workspaceId, w.key, w.version);
      if (!this.journeys.has(k)) missing.set(k, w);
    }
    if (missing.size === 0) return;
    const list = [...missing.values()];
    const rows = await sql.query<{ workspace_id: string; key: string; version: number; definition: JourneyDefinition }>(
      `SELECT workspace_id, key, version, definition FROM journeys
       WHERE (workspace_id, key, version) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::int[]))`,
      [list.map((w) => w.workspaceId), list.map((w) => w.key), list.map((w) => w.version)],
    );
    for (const row of rows) this.remember(row.workspace_id, row.definition);
  }

  /** Compiles and caches a stored definition. */
  remember(workspaceId: string, definition: JourneyDefinition): Journey {
    const k = cacheKey(workspaceId, definition.id, definition.version);
    let journey = this.journeys.get(k);
    if (!journey) {
      // Stored definitions were validated when saved (upsertJourney). Compiled as they are, so a limit
      // added since cannot stop their enrollments: the core's tick budget bounds their work instead.
      journey = new Journey(definition);
      this.journeys.set(k, journey);
    }
    return journey;
  }

  /** A journey already loaded with {@link load}. */
  get(workspaceId: string, key: string, version: number): Journey {
    const journey = this.journeys.get(cacheKey(workspaceId, key, version));
    if (!journey) throw new Error(`journey ${key} v${version} of workspace ${workspaceId} is not loaded`);
    return journey;
  }

  /** The newest active version of a journey, loaded. */
  async latest(sql: SqlRunner, workspaceId: string, key: string): Promise<Journey | null> {
    const rows = await sql.query<{ definition: JourneyDefinition }>(
      `SELECT definition FROM journeys WHERE workspace_id = $1 AND key = $2 AND active ORDER BY version DESC LIMIT 1`,
      [workspaceId, key],
    );
    return rows[0] ? this.remember(workspaceId, rows[0].definition) : null;
  }
}
