import { enrollSegment } from "../../engine/enroll-segment.js";
import { emptyNotices } from "../../engine/persist-advances.js";
import { type CalendarInput, upsertHolidayCalendar } from "../../holidays/upsert-calendar.js";
import { publishNotices } from "../../live/publish-notices.js";
import { actorOf } from "../../live-sops/audit.js";
import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { HolidayCalendarInput, HolidayCalendarType, SegmentEnrollmentType } from "../types/holiday-calendar.js";

builder.mutationFields((t) => ({
  upsertHolidayCalendar: t.field({
    type: HolidayCalendarType,
    description:
      "Changes the workspace's holiday calendar. Every problem (unknown base or holiday, invalid date, a holiday a published journey uses removed) is refused with its path and nothing changes. Running enrollments that use the calendar follow the change.",
    extensions: { access: "apiKey" },
    args: { input: t.arg({ type: HolidayCalendarInput, required: true }) },
    resolve: (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      return upsertHolidayCalendar(ctx.db, ctx.registry, { workspaceId: auth.workspaceId, input: args.input as CalendarInput, now: ctx.now, actor: actorOf(auth) });
    },
  }),
  enrollSegment: t.field({
    type: SegmentEnrollmentType,
    description:
      "Enrolls every customer whose attributes fit `match` (as segment rules: value, { in }, { exists }) in the newest version of a journey, now, each with their staff member — how a dated campaign (webinar night, 618, 双11) reaches its audience. Customers already in it are left as they are. dryRun counts without enrolling.",
    extensions: { access: "apiKey" },
    args: {
      journeyKey: t.arg.string({ required: true }),
      match: t.arg({ type: "JSON", required: true }),
      dryRun: t.arg.boolean(),
    },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const notices = emptyNotices();
      const out = await enrollSegment(ctx.db, ctx.registry, { workspaceId: auth.workspaceId, journeyKey: args.journeyKey, match: args.match, at: ctx.now, dryRun: args.dryRun ?? false, actor: actorOf(auth) }, notices);
      publishNotices(ctx.pubsub, notices);
      return out;
    },
  }),
}));
