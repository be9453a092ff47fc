import { loadCalendar } from "../../holidays/workspace-calendar.js";
import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { HolidayCalendarType } from "../types/holiday-calendar.js";

builder.queryFields((t) => ({
  holidayCalendar: t.field({
    type: HolidayCalendarType,
    description: "The workspace's holiday calendar (holiday steps and workday send windows follow it).",
    resolve: async (_root, _args, ctx) => loadCalendar(ctx.db.sql, requireAuth(ctx).workspaceId),
  }),
}));
