import type { JourneyOptions } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import { type CalendarData, chineseCalendar } from "./chinese-calendar.js";

// A workspace's holiday calendar: a base (the default Chinese calendar, or none) and the
// workspace's own entries on top. What the core receives is the merge of both.

export const CALENDAR_BASES = ["china", "none"] as const;
export type CalendarBase = (typeof CALENDAR_BASES)[number];

/** A stored calendar row (the defaults when the workspace has none). */
export interface StoredCalendar {
  base: CalendarBase;
  /** The workspace's own holidays: name → dates. A name of the base is replaced. */
  holidays: Record<string, string[]>;
  /** Extra working days and days off, on top of the base's schedule. */
  workdays: string[];
  offdays: string[];
  /** 0 = no row yet. */
  revision: number;
  updatedAt: Date | null;
}

export const DEFAULT_CALENDAR: StoredCalendar = { base: "china", holidays: {}, workdays: [], offdays: [], revision: 0, updatedAt: null };

/** How the calendar is named in journey errors. */
export const CALENDAR_NAME = "the workspace's holiday calendar (holidayCalendar / upsertHolidayCalendar)";

export async function loadCalendar(sql: SqlRunner, workspaceId: string): Promise<StoredCalendar> {
  const [row] = await sql.query<{ base: CalendarBase; holidays: Record<string, string[]>; workdays: string[]; offdays: string[]; revision: number; updated_at: Date }>(
    `SELECT base, holidays, workdays, offdays, revision, updated_at FROM holiday_calendars WHERE workspace_id = $1`,
    [workspaceId],
  );
  return row ? { base: row.base, holidays: row.holidays, workdays: row.workdays, offdays: row.offdays, revision: row.revision, updatedAt: row.updated_at } : DEFAULT_CALENDAR;
}

/** Base and own entries merged: own holidays replace the base's of the same name; own days win over the base's schedule. */
export function effectiveCalendar(cal: Pick<StoredCalendar, "base" | "holidays" | "workdays" | "offdays">): CalendarData & { own: Set<string> } {
  const base: CalendarData = cal.base === "china" ? chineseCalendar() : { holidays: {}, workdays: { on: [], off: [] } };
  const holidays: Record<string, string[]> = { ...base.holidays };
  for (const [name, dates] of Object.entries(cal.holidays)) holidays[name] = [...dates].sort();
  const workdays = new Set(cal.workdays);
  const offdays = new Set(cal.offdays);
  return {
    holidays,
    workdays: {
      on: [...new Set([...base.workdays.on.filter((d) => !offdays.has(d)), ...workdays])].sort(),
      off: [...new Set([...base.workdays.off.filter((d) => !workdays.has(d)), ...offdays])].sort(),
    },
    own: new Set(Object.keys(cal.holidays)),
  };
}

/** The core's options for journeys of a workspace with this calendar. */
export function calendarOptions(cal: Pick<StoredCalendar, "base" | "holidays" | "workdays" | "offdays">): JourneyOptions {
  const { holidays, workdays } = effectiveCalendar(cal);
  return { holidays, workdays, calendarName: CALENDAR_NAME };
}

/**
 * Whether compiling a definition depends on the calendar: holiday steps, or send windows by
 * workdays / offdays. A cheap textual test (a false positive only costs a compile with the calendar).
 */
export function usesCalendar(definition: unknown): boolean {
  return /"holiday"|"workdays"|"offdays"/.test(JSON.stringify(definition));
}
