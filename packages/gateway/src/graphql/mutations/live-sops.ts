// Managing live SOPs: pause / resume, removal from a journey, bulk moves and removals, do-not-disturb.
import { emptyNotices } from "../../engine/persist-advances.js";
import { publishNotices } from "../../live/publish-notices.js";
import { actorOf } from "../../live-sops/audit.js";
import { bulkManage } from "../../live-sops/bulk.js";
import { setDoNotDisturb } from "../../live-sops/dnd.js";
import { pauseJourney, resumeJourney } from "../../live-sops/pause.js";
import { removeFromJourney } from "../../live-sops/remove-customer.js";
import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { assertCustomerVisible } from "../services/visibility.js";
import { ChannelEnum } from "../types/enums.js";
import { BulkActionEnum, BulkFilterInput, BulkResultType, DoNotDisturbResultType, PauseResultType, RemoveFromJourneyPayload } from "../types/live-sops.js";

const SHORT = 200;

builder.mutationFields((t) => ({
  pauseJourney: t.field({
    type: PauseResultType,
    description:
      "Pauses a journey, or one step of it (stepId). Steps it covers that fall due are held (delivery status held), not sent and not made tasks, and due steps not yet sent are held too; nothing is lost: resumeJourney releases them. An unknown journey or step is NOT_FOUND and nothing changes.",
    extensions: { access: "apiKey", limits: { strings: { journeyKey: SHORT, stepId: SHORT } } },
    args: { journeyKey: t.arg.string({ required: true }), stepId: t.arg.string() },
    resolve: (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      return pauseJourney(ctx.db, ctx.registry, { workspaceId: auth.workspaceId, journeyKey: args.journeyKey, stepId: args.stepId ?? null, actor: actorOf(auth), now: ctx.now });
    },
  }),
  resumeJourney: t.field({
    type: PauseResultType,
    description:
      "Resumes a paused journey or step and releases its held steps by their expiry rules: past expireAfter (step, stage or journey) → skipped (expired); the customer left the stage meanwhile → skipped (left-stage); otherwise sent (auto) or made tasks. Steps still under another pause stay held.",
    extensions: { access: "apiKey", limits: { strings: { journeyKey: SHORT, stepId: SHORT } } },
    args: { journeyKey: t.arg.string({ required: true }), stepId: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const notices = emptyNotices();
      const result = await resumeJourney(ctx.db, ctx.registry, { workspaceId: auth.workspaceId, journeyKey: args.journeyKey, stepId: args.stepId ?? null, actor: actorOf(auth), now: ctx.now }, notices);
      publishNotices(ctx.pubsub, notices);
      return result;
    },
  }),
  removeFromJourney: t.field({
    type: RemoveFromJourneyPayload,
    description:
      "Removes a customer from a journey: the enrollment ends, unsent steps are skipped (reason removed), open tasks skipped, and the removal is audited with the reason. A staff token removes only its own customers' runs. NOT_FOUND when the customer is not in the journey.",
    extensions: { limits: { strings: { journeyKey: SHORT, reason: 1_000 } } },
    args: { customerId: t.arg.id({ required: true }), journeyKey: t.arg.string({ required: true }), reason: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const customerId = String(args.customerId);
      await assertCustomerVisible(ctx, customerId);
      const removed = await removeFromJourney(ctx.db, { workspaceId: auth.workspaceId, customerId, journeyKey: args.journeyKey, staffId: auth.staffId ?? null, reason: args.reason ?? null, actor: actorOf(auth), now: ctx.now });
      const notices = emptyNotices();
      notices.removedTasks!.push(...removed.cancelledTasks);
      notices.boards.add(auth.workspaceId);
      publishNotices(ctx.pubsub, notices);
      return { customerId, journeyKey: args.journeyKey, enrollments: removed.enrollments, cancelledSteps: removed.cancelledSteps, cancelledTasks: removed.cancelledTasks.length };
    },
  }),
  bulkManageEnrollments: t.field({
    type: BulkResultType,
    description:
      "Moves or removes every in-flight enrollment of a journey matching a filter (stage, tag, staff member). dryRun (the default) only counts them; pass the count back as expectedCount to refuse the change if the cohort changed since. The work runs a batch of enrollments per transaction.",
    extensions: { access: "apiKey", limits: { strings: { "filter.journeyKey": SHORT, "filter.stage": SHORT, "filter.tag": SHORT, toStage: SHORT, reason: 1_000 } } },
    args: {
      filter: t.arg({ type: BulkFilterInput, required: true }),
      action: t.arg({ type: BulkActionEnum, required: true }),
      toStage: t.arg.string({ description: "MOVE: the stage to enter" }),
      dryRun: t.arg.boolean({ defaultValue: true }),
      expectedCount: t.arg.int({ description: "refuse unless the filter matches exactly this many now" }),
      reason: t.arg.string(),
      batchSize: t.arg.int({ description: "enrollments per transaction (default 200, at most 1,000)" }),
    },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const notices = emptyNotices();
      const result = await bulkManage(
        ctx.db,
        ctx.registry,
        {
          workspaceId: auth.workspaceId,
          filter: { journeyKey: args.filter.journeyKey, stage: args.filter.stage ?? null, tag: args.filter.tag ?? null, staffId: args.filter.staffId == null ? null : String(args.filter.staffId) },
          action: args.action,
          toStage: args.toStage ?? null,
          dryRun: args.dryRun ?? true,
          expectedCount: args.expectedCount ?? null,
          reason: args.reason ?? null,
          batchSize: args.batchSize ?? null,
          actor: actorOf(auth),
          now: ctx.now,
        },
        notices,
      );
      publishNotices(ctx.pubsub, notices);
      return result;
    },
  }),
  setDoNotDisturb: t.field({
    type: DoNotDisturbResultType,
    description:
      "Turns a customer's do-not-disturb on or off for one channel (or every channel when channel is omitted). While on, journey steps on it are skipped with reason opted-out in every journey, and unsent ones are skipped at once. Customers also turn it on by sending an opt-out keyword (workspace setting optOutKeywords).",
    extensions: { limits: { strings: { reason: 1_000 } } },
    args: { customerId: t.arg.id({ required: true }), channel: t.arg({ type: ChannelEnum }), on: t.arg.boolean({ required: true }), reason: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const customerId = String(args.customerId);
      await assertCustomerVisible(ctx, customerId);
      const result = await ctx.db.sql.transaction((tx) =>
        setDoNotDisturb(tx, { workspaceId: auth.workspaceId, customerId, channel: args.channel ?? null, on: args.on, source: "api", reason: args.reason ?? null, actor: actorOf(auth), now: ctx.now }),
      );
      const notices = emptyNotices();
      notices.removedTasks!.push(...result.cancelledTasks);
      publishNotices(ctx.pubsub, notices);
      return result;
    },
  }),
}));
