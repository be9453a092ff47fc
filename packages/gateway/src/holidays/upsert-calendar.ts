import { type JourneyDefinition, validateJourney } from "@sopline/core";
import type { Database, SqlRunner } from "../db/index.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import { badInput } from "../graphql/errors.js";
import { type Actor, writeAudit } from "../live-sops/audit.js";
import { CALENDAR_BASES, type CalendarBase, type StoredCalendar, calendarOptions, effectiveCalendar, loadCalendar } from "./workspace-calendar.js";

/** What upsertHolidayCalendar takes; omitted fields keep their value. */
export interface CalendarInput {
  base?: string | null;
  /** Set these holidays (each replaces the one of the same name, the base's included). */
  holidays?: Array<{ name: string; dates: string[] }> | null;
  /** Remove these of the workspace's own holidays (a base holiday comes back if it had one). */
  removeHolidays?: string[] | null;
  /** Replace the workspace's extra working days / days off. */
  workdays?: string[] | null;
  offdays?: string[] | null;
}

export const MAX_HOLIDAYS = 200;
export const MAX_DATES = 1_000;
const NAME = /^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9_.\u4e00-\u9fff-]{0,63}$/;

export function isDate(value: unknown): value is string {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const t = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === value;
}

type Issue = { path: string; message: string };

function checkDates(dates: unknown, path: string, issues: Issue[]): void {
  if (!Array.isArray(dates)) return void issues.push({ path, message: "expected a list of dates" });
  if (dates.length > MAX_DATES) issues.push({ path, message: `${dates.length} dates is above the maximum of ${MAX_DATES}` });
  dates.forEach((d, i) => {
    if (!isDate(d)) issues.push({ path: `${path}[${i}]`, message: `${JSON.stringify(d)} is not a date "YYYY-MM-DD"` });
  });
}

/** Every problem of the input with its path (empty when valid). */
export function calendarInputIssues(input: CalendarInput, current: StoredCalendar): Issue[] {
  const issues: Issue[] = [];
  if (input.base != null && !(CALENDAR_BASES as readonly string[]).includes(input.base)) {
    issues.push({ path: "input.base", message: `unknown base calendar "${input.base}" (expected one of ${CALENDAR_BASES.join(", ")})` });
  }
  const seen = new Set<string>();
  (input.holidays ?? []).forEach((h, i) => {
    const path = `input.holidays[${i}]`;
    if (!NAME.test(h.name)) issues.push({ path: `${path}.name`, message: `${JSON.stringify(h.name)} is not a holiday name (letters, digits, 汉字, '_', '-', '.'; at most 64)` });
    else if (seen.has(h.name)) issues.push({ path: `${path}.name`, message: `holiday "${h.name}" is given twice` });
    seen.add(h.name);
    if (Array.isArray(h.dates) && h.dates.length === 0) issues.push({ path: `${path}.dates`, message: `holiday "${h.name}" needs at least one date (use removeHolidays to remove it)` });
    checkDates(h.dates, `${path}.dates`, issues);
  });
  const own = new Set(Object.keys(current.holidays));
  const total = new Set([...own, ...seen]).size;
  if (total > MAX_HOLIDAYS) issues.push({ path: "input.holidays", message: `${total} holidays of the workspace's own is above the maximum of ${MAX_HOLIDAYS}` });
  (input.removeHolidays ?? []).forEach((name, i) => {
    if (!own.has(name)) {
      const list = own.size > 0 ? [...own].sort().join(", ") : "none";
      issues.push({ path: `input.removeHolidays[${i}]`, message: `unknown holiday "${name}": not one of the workspace's own holidays (own: ${list})` });
    } else if (seen.has(name)) issues.push({ path: `input.removeHolidays[${i}]`, message: `holiday "${name}" is both set and removed` });
  });
  if (input.workdays != null) checkDates(input.workdays, "input.workdays", issues);
  if (input.offdays != null) checkDates(input.offdays, "input.offdays", issues);
  const offdays = new Set(input.offdays ?? current.offdays);
  (input.workdays ?? current.workdays).forEach((d, i) => {
    if (offdays.has(d)) issues.push({ path: `input.workdays[${i}]`, message: `${d} is both a working day and a day off` });
  });
  return issues;
}

/** The calendar the input makes of the current one. */
function next(current: StoredCalendar, input: CalendarInput): Omit<StoredCalendar, "revision" | "updatedAt"> {
  const holidays = { ...current.holidays };
  for (const name of input.removeHolidays ?? []) delete holidays[name];
  for (const h of input.holidays ?? []) holidays[h.name] = [...new Set(h.dates)].sort();
  return {
    base: (input.base ?? current.base) as CalendarBase,
    holidays,
    workdays: input.workdays != null ? [...new Set(input.workdays)].sort() : current.workdays,
    offdays: input.offdays != null ? [...new Set(input.offdays)].sort() : current.offdays,
  };
}

/**
 * A published journey that would lose a holiday it uses: each problem with the journey and the
 * step path, e.g. `journeys["care"@2].stages[0].sop[1].holiday`.
 */
async function brokenJourneys(tx: SqlRunner, workspaceId: string, cal: Omit<StoredCalendar, "revision" | "updatedAt">): Promise<Issue[]> {
  const rows = await tx.query<{ key: string; version: number; definition: JourneyDefinition }>(
    `SELECT DISTINCT ON (key) key, version, definition FROM journeys
     WHERE workspace_id = $1 AND active AND definition::text LIKE '%"holiday"%' ORDER BY key, version DESC`,
    [workspaceId],
  );
  const options = calendarOptions(cal);
  const issues: Issue[] = [];
  for (const row of rows) {
    for (const issue of validateJourney(row.definition, options)) {
      if (issue.path.endsWith(".holiday")) issues.push({ path: `journeys[${JSON.stringify(row.key)}@${row.version}].${issue.path}`, message: issue.message });
    }
  }
  return issues;
}

/**
 * Changes a workspace's holiday calendar. Bad input (unknown base or holiday, invalid date, a
 * holiday a published journey uses removed) is refused with every problem's path and nothing is
 * changed. Running enrollments of journeys that use the calendar are woken at `now`, so the
 * scheduler recomputes their holiday steps and workday windows with the new calendar.
 */
export async function upsertHolidayCalendar(
  db: Database,
  registry: JourneyRegistry,
  args: { workspaceId: string; input: CalendarInput; now: Date; actor?: Actor },
): Promise<StoredCalendar> {
  await db.sql.transaction(async (tx) => {
    // one writer per workspace calendar: concurrent upserts must not lose each other's entries
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`sopline:holiday-calendar:${args.workspaceId}`]);
    const current = await loadCalendar(tx, args.workspaceId);
    const problems = calendarInputIssues(args.input, current);
    const cal = next(current, args.input);
    if (problems.length === 0) problems.push(...(await brokenJourneys(tx, args.workspaceId, cal)));
    if (problems.length > 0) {
      throw badInput(`Invalid holiday calendar (${problems.length === 1 ? "1 problem" : `${problems.length} problems`}): ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`, problems);
    }
    await tx.execute(
      `INSERT INTO holiday_calendars (workspace_id, base, holidays, workdays, offdays, revision, updated_at)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, 1, $6)
       ON CONFLICT (workspace_id) DO UPDATE SET base = EXCLUDED.base, holidays = EXCLUDED.holidays, workdays = EXCLUDED.workdays,
         offdays = EXCLUDED.offdays, revision = holiday_calendars.revision + 1, updated_at = EXCLUDED.updated_at`,
      [args.workspaceId, cal.base, JSON.stringify(cal.holidays), JSON.stringify(cal.workdays), JSON.stringify(cal.offdays), args.now],
    );
    await wakeCalendarEnrollments(tx, args.workspaceId, args.now);
    const own = (c: Omit<StoredCalendar, "revision" | "updatedAt">) => ({ base: c.base, holidays: c.holidays, workdays: c.workdays, offdays: c.offdays });
    if (args.actor) await writeAudit(tx, { workspaceId: args.workspaceId, actor: args.actor, action: "holidays.update", target: "holiday-calendar", before: own(current), after: own(cal), at: args.now });
  });
  await registry.refreshCalendars(db.sql, [args.workspaceId]);
  return loadCalendar(db.sql, args.workspaceId);
}

/**
 * Brings forward to `now` the next wake-up of running enrollments whose journey depends on the
 * calendar: a date added before their stored wake-up would otherwise be passed over. A wake-up
 * with nothing due just recomputes the next one.
 */
async function wakeCalendarEnrollments(tx: SqlRunner, workspaceId: string, now: Date): Promise<number> {
  return tx.execute(
    `UPDATE enrollments e
     SET next_wake_at = LEAST(COALESCE(e.next_wake_at, $2), $2),
         state = (e.state::jsonb || jsonb_build_object('wake', LEAST(COALESCE((e.state->>'wake')::bigint, $3::bigint), $3::bigint)))::json,
         updated_at = now()
     WHERE e.workspace_id = $1 AND e.ended_at IS NULL
       AND EXISTS (SELECT 1 FROM journeys j WHERE j.workspace_id = e.workspace_id AND j.key = e.journey_key AND j.version = e.journey_version
                   AND j.definition::text ~ '"(holiday|workdays|offdays)"')`,
    [workspaceId, now, now.getTime()],
  );
}

/** The effective calendar's dates between two dates (inclusive), for reading. */
export function calendarView(cal: StoredCalendar, from: string, to: string) {
  const eff = effectiveCalendar(cal);
  const within = (d: string) => d >= from && d <= to;
  return {
    holidays: Object.entries(eff.holidays)
      .map(([name, dates]) => ({ name, dates: dates.filter(within), own: eff.own.has(name) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    workdays: eff.workdays.on.filter(within),
    offdays: eff.workdays.off.filter(within),
  };
}
