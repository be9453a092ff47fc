import { Journey, type JourneyDefinition, type JourneyOptions } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import { DEFAULT_CALENDAR, calendarOptions, loadCalendar, usesCalendar } from "../holidays/workspace-calendar.js";

const cacheKey = (workspaceId: string, key: string, version: number) => `${workspaceId}\u0000${key}\u0000${version}`;

/** A workspace's calendar as compiled journeys need it, with the revision it was read at. */
interface KnownCalendar {
  revision: number;
  options: JourneyOptions;
}

/**
 * Compiled journeys by (workspace, key, version). Definitions are immutable once stored (a change
 * is a new version), so a compiled journey can be cached for the life of the process — except that
 * one with holiday steps or workday windows is compiled with its workspace's holiday calendar, and
 * compiled again when the calendar's revision changes (load() and latest() read the revisions).
 */
export class JourneyRegistry {
  private readonly journeys = new Map<string, { journey: Journey; revision: number | null }>();
  private readonly calendars = new Map<string, KnownCalendar>();
  private defaultCalendar: KnownCalendar | undefined;

  /** Makes sure every (workspace, key, version) in `wanted` is compiled; loads missing ones with `sql`. */
  async load(sql: SqlRunner, wanted: Iterable<{ workspaceId: string; key: string; version: number }>): Promise<void> {
    const missing = new Map<string, { workspaceId: string; key: string; version: number }>();
    // Calendars are read only where a journey may depend on one: the scheduler's usual batch of
    // cached calendar-free journeys costs no query.
    const calendarWorkspaces = new Set<string>();
    for (const w of wanted) {
      const k = cacheKey(w.workspaceId, w.key, w.version);
      const hit = this.journeys.get(k);
      if (!hit) missing.set(k, w);
      if (!hit || hit.revision !== null) calendarWorkspaces.add(w.workspaceId);
    }
    await this.refreshCalendars(sql, calendarWorkspaces);
    if (missing.size === 0) return;
    const toRead = [...missing.values()];
    const rows = await sql.query<{ workspace_id: string; key: string; version: number; definition: JourneyDefinition }>(
      `SELECT workspace_id, key, version, definition FROM journeys
       WHERE (workspace_id, key, version) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::int[]))`,
      [toRead.map((w) => w.workspaceId), toRead.map((w) => w.key), toRead.map((w) => w.version)],
    );
    for (const row of rows) this.remember(row.workspace_id, row.definition);
  }

  /**
   * Reads the calendar revisions of these workspaces and reloads the calendars that changed (one
   * small query; a calendar changed by another gateway process is seen at its next load).
   */
  async refreshCalendars(sql: SqlRunner, workspaceIds: Iterable<string>): Promise<void> {
    const ids = [...new Set(workspaceIds)];
    if (ids.length === 0) return;
    const rows = await sql.query<{ workspace_id: string; revision: number }>(
      `SELECT workspace_id, revision FROM holiday_calendars WHERE workspace_id = ANY($1::text[])`,
      [ids],
    );
    const revisions = new Map(rows.map((r) => [r.workspace_id, r.revision]));
    for (const id of ids) {
      const revision = revisions.get(id) ?? DEFAULT_CALENDAR.revision;
      if (this.calendars.get(id)?.revision === revision) continue;
      const cal = revision === DEFAULT_CALENDAR.revision ? DEFAULT_CALENDAR : await loadCalendar(sql, id);
      this.calendars.set(id, { revision: cal.revision, options: calendarOptions(cal) });
    }
  }

  /** The calendar options last read for a workspace (the default calendar before any read). */
  calendarOf(workspaceId: string): KnownCalendar {
    return this.calendars.get(workspaceId) ?? (this.defaultCalendar ??= { revision: DEFAULT_CALENDAR.revision, options: calendarOptions(DEFAULT_CALENDAR) });
  }

  /** Compiles and caches a stored definition (with the workspace's calendar when it needs one). */
  remember(workspaceId: string, definition: JourneyDefinition): Journey {
    const k = cacheKey(workspaceId, definition.id, definition.version);
    const hit = this.journeys.get(k);
    const calendar = this.calendarOf(workspaceId);
    if (hit && (hit.revision === null || hit.revision === calendar.revision)) return hit.journey;
    const needs = usesCalendar(definition);
    // Stored definitions were validated when saved (upsertJourney). Compiled as they are, so a limit
    // added since cannot stop their enrollments: the core's tick budget bounds their work instead.
    const journey = new Journey(definition, needs ? calendar.options : {});
    this.journeys.set(k, { journey, revision: needs ? calendar.revision : null });
    return journey;
  }

  /** A journey already loaded with {@link load}. */
  get(workspaceId: string, key: string, version: number): Journey {
    const hit = this.journeys.get(cacheKey(workspaceId, key, version));
    if (!hit) throw new Error(`journey ${key} v${version} of workspace ${workspaceId} is not loaded`);
    return this.remember(workspaceId, hit.journey.definition);
  }

  /** The newest active version of a journey, loaded. */
  async latest(sql: SqlRunner, workspaceId: string, key: string): Promise<Journey | null> {
    const rows = await sql.query<{ definition: JourneyDefinition }>(
      `SELECT definition FROM journeys WHERE workspace_id = $1 AND key = $2 AND active ORDER BY version DESC LIMIT 1`,
      [workspaceId, key],
    );
    if (!rows[0]) return null;
    const definition = rows[0].definition;
    const hit = this.journeys.get(cacheKey(workspaceId, definition.id, definition.version));
    if (hit ? hit.revision !== null : usesCalendar(definition)) await this.refreshCalendars(sql, [workspaceId]);
    return this.remember(workspaceId, definition);
  }
}
