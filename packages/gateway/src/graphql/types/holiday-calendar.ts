import { builder } from "../builder.js";
import type { StoredCalendar } from "../../holidays/workspace-calendar.js";
import { calendarView, isDate } from "../../holidays/upsert-calendar.js";
import { badInput } from "../errors.js";

const HolidayType = builder.objectRef<{ name: string; dates: string[]; own: boolean }>("Holiday").implement({
  description: "A named holiday of the workspace calendar: holiday steps (`holiday: name`) are due on its dates.",
  fields: (t) => ({
    name: t.exposeString("name"),
    dates: t.exposeStringList("dates", { description: '"YYYY-MM-DD", within the range asked for' }),
    own: t.exposeBoolean("own", { description: "set by the workspace (false: from the base calendar)" }),
  }),
});

/** "from".."to" as asked, defaulting to this year and the next (the base calendar spans decades). */
function range(args: { from?: string | null; to?: string | null }, now: Date): { from: string; to: string } {
  const year = now.getUTCFullYear();
  const from = args.from ?? `${year}-01-01`;
  const to = args.to ?? `${year + 1}-12-31`;
  if (!isDate(from)) throw badInput(`from: ${JSON.stringify(from)} is not a date "YYYY-MM-DD"`);
  if (!isDate(to)) throw badInput(`to: ${JSON.stringify(to)} is not a date "YYYY-MM-DD"`);
  return { from, to };
}

export const HolidayCalendarType = builder.objectRef<StoredCalendar>("HolidayCalendar").implement({
  description:
    'The workspace\'s holiday calendar: a base ("china": Chinese festival days with lunar dates, and the official days off and adjusted working days 调休; or "none") and the workspace\'s own entries on top.',
  fields: (t) => ({
    base: t.exposeString("base"),
    revision: t.exposeInt("revision", { description: "0 until the workspace first changes its calendar" }),
    updatedAt: t.field({ type: "DateTime", nullable: true, resolve: (c) => c.updatedAt }),
    holidays: t.field({
      type: [HolidayType],
      description: "Every holiday name with its dates between from and to (default: this year and next).",
      args: { from: t.arg.string(), to: t.arg.string() },
      resolve: (c, args, ctx) => {
        const r = range(args, ctx.now);
        return calendarView(c, r.from, r.to).holidays;
      },
    }),
    workdays: t.stringList({
      description: "Official working days that fall on a weekend (调休), between from and to: open in `workdays` send windows.",
      args: { from: t.arg.string(), to: t.arg.string() },
      resolve: (c, args, ctx) => {
        const r = range(args, ctx.now);
        return calendarView(c, r.from, r.to).workdays;
      },
    }),
    offdays: t.stringList({
      description: "Official days off that fall on a weekday, between from and to: closed in `workdays` send windows.",
      args: { from: t.arg.string(), to: t.arg.string() },
      resolve: (c, args, ctx) => {
        const r = range(args, ctx.now);
        return calendarView(c, r.from, r.to).offdays;
      },
    }),
    ownWorkdays: t.exposeStringList("workdays", { description: "The workspace's own extra working days" }),
    ownOffdays: t.exposeStringList("offdays", { description: "The workspace's own extra days off" }),
  }),
});

export const HolidayInput = builder.inputType("HolidayInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: 'e.g. "store-anniversary"; a name of the base calendar is replaced' }),
    dates: t.stringList({ required: true, description: '"YYYY-MM-DD"' }),
  }),
});

export const HolidayCalendarInput = builder.inputType("HolidayCalendarInput", {
  description: "Omitted fields keep their value.",
  fields: (t) => ({
    base: t.string({ description: '"china" (default) or "none"' }),
    holidays: t.field({ type: [HolidayInput], description: "Holidays to set (each replaces the one of the same name)" }),
    removeHolidays: t.stringList({ description: "The workspace's own holidays to remove" }),
    workdays: t.stringList({ description: "Replaces the workspace's extra working days (e.g. next year's 调休 Saturdays)" }),
    offdays: t.stringList({ description: "Replaces the workspace's extra days off" }),
  }),
});

export const SegmentEnrollmentType = builder
  .objectRef<{ matched: number; enrolled: number; alreadyEnrolled: number }>("SegmentEnrollment")
  .implement({
    fields: (t) => ({
      matched: t.exposeInt("matched", { description: "customers whose attributes fit the match" }),
      enrolled: t.exposeInt("enrolled", { description: "newly enrolled (0 on a dry run)" }),
      alreadyEnrolled: t.exposeInt("alreadyEnrolled", { description: "already in the journey with their staff member: unchanged" }),
    }),
  });
