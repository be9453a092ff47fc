import chineseDays from "chinese-days";

// A UMD bundle: Node's ESM loader sees only its default export.
const { getHolidaysInRange, getSolarDateFromLunar, getSolarTermDate, getWorkdaysInRange } = chineseDays;

// The default calendar of a workspace: Chinese festival days (lunar ones converted by chinese-days)
// and the State Council's days off and adjusted working days (调休) that chinese-days ships.

/** A holiday calendar as the core takes it (JourneyOptions.holidays / .workdays). */
export interface CalendarData {
  /** Holiday name → its dates "YYYY-MM-DD", ascending. */
  holidays: Record<string, string[]>;
  /** `on`: weekend dates that are worked (调休); `off`: weekday dates that are days off. */
  workdays: { on: string[]; off: string[] };
}

/** Years the festival days are computed for (chinese-days converts lunar dates up to 2100). */
export const FIRST_YEAR = 2020;
export const LAST_YEAR = 2099;
/** chinese-days' schedule of days off starts in 2004; later years appear as the State Council publishes them. */
const FIRST_SCHEDULE_YEAR = 2004;
const SCHEDULE_LAST_YEAR = 2035;

const DAY_MS = 86_400_000;
const pad = (n: number) => String(n).padStart(2, "0");
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
const lunar = (year: number, month: number, day: number) => getSolarDateFromLunar(`${year}-${pad(month)}-${pad(day)}`).date;

/** How each default holiday's festival day falls in a given year. */
export const CHINESE_HOLIDAYS: Record<string, (year: number) => string> = {
  "new-year": (y) => `${y}-01-01`,
  // 除夕: the last day of the lunar year, the eve of lunar 1/1
  "spring-festival-eve": (y) => shift(lunar(y, 1, 1), -1),
  "spring-festival": (y) => lunar(y, 1, 1),
  "lantern-festival": (y) => lunar(y, 1, 15),
  qingming: (y) => getSolarTermDate(y, 4, "pure_brightness"),
  "labour-day": (y) => `${y}-05-01`,
  "dragon-boat": (y) => lunar(y, 5, 5),
  qixi: (y) => lunar(y, 7, 7),
  "mid-autumn": (y) => lunar(y, 8, 15),
  "national-day": (y) => `${y}-10-01`,
  "double-ninth": (y) => lunar(y, 9, 9),
  "winter-solstice": (y) => getSolarTermDate(y, 12, "the_winter_solstice"),
};

let cached: CalendarData | undefined;

/** The default Chinese calendar (computed once per process: it depends only on the library's data). */
export function chineseCalendar(): CalendarData {
  if (cached) return cached;
  const holidays: Record<string, string[]> = {};
  for (const [name, dateOf] of Object.entries(CHINESE_HOLIDAYS)) {
    const dates: string[] = [];
    for (let year = FIRST_YEAR; year <= LAST_YEAR; year++) dates.push(dateOf(year));
    holidays[name] = dates;
  }
  const start = `${FIRST_SCHEDULE_YEAR}-01-01`;
  // Far enough for the years the library will publish; walking to 2099 day by day costs ~0.4 s.
  const end = `${SCHEDULE_LAST_YEAR}-12-31`;
  const weekend = (d: string) => weekday(d) === 0 || weekday(d) === 6;
  const off = getHolidaysInRange(start, end, false).filter((d) => !weekend(d));
  const on = getWorkdaysInRange(start, end, true).filter(weekend);
  cached = { holidays, workdays: { on, off } };
  return cached;
}
