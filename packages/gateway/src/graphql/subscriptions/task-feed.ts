import type { Channel } from "@sopline/core";
import { filter, pipe } from "graphql-yoga";
import type { AlertNotice } from "../../engine/persist-advances.js";
import { taskTopic } from "../../live/pubsub.js";
import { builder } from "../builder.js";
import { requireAuth, staffScope } from "../context.js";
import type { TaskFeedPayload } from "../services/tasks.js";
import { assertStaffInWorkspace } from "../services/visibility.js";
import { ChannelEnum, TaskChangeEnum, type TaskStatus, TaskStatusEnum } from "../types/enums.js";
import { resolveLive, untilTokenExpires } from "./token-expiry.js";

const TaskNoticeType = builder.objectRef<TaskFeedPayload>("TaskNotice").implement({
  description: "A task as carried by the live feed (no extra database read per event).",
  fields: (t) => ({
    id: t.exposeID("id"),
    // numberTasksOnPublish fills in the seq of a new task before it is published
    seq: t.string({ resolve: (p) => p.seq ?? "0" }),
    title: t.exposeString("title"),
    kind: t.exposeString("kind"),
    channel: t.field({ type: ChannelEnum, nullable: true, resolve: (p) => p.channel as Channel | null }),
    content: t.exposeString("content", { nullable: true }),
    dueAt: t.field({ type: "DateTime", resolve: (p) => p.dueAt }),
    status: t.field({ type: TaskStatusEnum, resolve: (p) => (p.status ?? "open") as TaskStatus }),
    customerId: t.exposeID("customerId"),
    staffId: t.exposeID("staffId"),
  }),
});

type Alert = AlertNotice["alert"];
const AlertReasonEnum = builder.enumType("AlertReason", {
  values: {
    INTENT: { value: "intent" as const, description: "the customer opened, is reading, clicked or replied just now" },
    ESCALATION: { value: "escalation" as const, description: "a team member's opportunity waited longer than the workspace's opportunityEscalationHours" },
  },
});
const IntentAlertType = builder.objectRef<Alert>("IntentAlert").implement({
  description: 'A live item that is not a task: "张三 is reading 客户案例 now", or an escalated opportunity on the lead\'s feed.',
  fields: (t) => ({
    reason: t.field({ type: AlertReasonEnum, resolve: (a) => a.reason }),
    event: t.exposeString("event", { description: "the customer's event (content.opened, content.read, link.clicked, message.replied), or the escalated opportunity's strongest signal" }),
    customerName: t.exposeString("customerName"),
    contentTitle: t.exposeString("contentTitle", { nullable: true, description: "the title of the content the event names, if any" }),
    at: t.field({ type: "DateTime", resolve: (a) => new Date(a.at), description: "when the customer did it (escalation: waiting since)" }),
    forStaffId: t.exposeID("forStaffId", { nullable: true, description: "escalation: the team member who left it waiting" }),
  }),
});

const TaskFeedEventType = builder.objectRef<TaskFeedPayload>("TaskFeedEvent").implement({
  fields: (t) => ({
    change: t.field({ type: TaskChangeEnum, resolve: (p) => p.change }),
    task: t.field({ type: TaskNoticeType, resolve: (p) => p }),
    alert: t.field({ type: IntentAlertType, nullable: true, description: "set when change is ALERT", resolve: (p) => ("alert" in p ? p.alert : null) }),
  }),
});

builder.subscriptionFields((t) => ({
  myTaskFeed: t.field({
    type: TaskFeedEventType,
    description:
      "A staff member's tasks as they are created, updated (completed, skipped, snoozed) or handed over. Staff token: their own; API key: pass staffId. After a reconnect, catch up with tasksSince(seq).",
    args: { staffId: t.arg.id() },
    subscribe: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const staffId = staffScope(ctx, args.staffId ? String(args.staffId) : null, true);
      if (auth.kind === "apiKey") await assertStaffInWorkspace(ctx, staffId);
      const topic = taskTopic(auth.workspaceId, staffId);
      // The topic already names workspace and staff member; checking the payload too means a
      // mis-routed message (e.g. through a shared Redis) can never reach the wrong person.
      return untilTokenExpires(
        ctx,
        pipe(
          ctx.pubsub.subscribe(topic),
          filter((p): p is TaskFeedPayload => "staffId" in p && "change" in p && p.workspaceId === auth.workspaceId && p.staffId === staffId),
        ),
      );
    },
    resolve: resolveLive((payload: TaskFeedPayload) => payload),
  }),
}));
