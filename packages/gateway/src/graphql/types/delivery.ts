import type { Channel } from "@sopline/core";
import { builder } from "../builder.js";
import { ContentType } from "./content.js";
import { ChannelEnum } from "./enums.js";

export const DeliveryType = builder.prismaObject("Delivery", {
  description: "A step that became due for a customer (recorded exactly once), sent, turned into a task or skipped.",
  fields: (t) => ({
    id: t.exposeID("key", { description: "the delivery's key (= key): pass it to acknowledgeDeliveries" }),
    key: t.exposeString("key", { description: "the core's idempotency key" }),
    journeyKey: t.exposeString("journeyKey"),
    stage: t.exposeString("stage"),
    stepId: t.exposeString("stepId"),
    dueAt: t.expose("dueAt", { type: "DateTime" }),
    channel: t.field({ type: ChannelEnum, nullable: true, resolve: (d) => (d.channel || null) as Channel | null }),
    content: t.exposeString("content", { nullable: true, description: "content ref" }),
    contentEntry: t.field({ type: ContentType, nullable: true, resolve: (d, _args, ctx) => (d.content ? ctx.loaders.content.load(d.content) : null) }),
    mode: t.exposeString("mode", { description: "auto | task" }),
    status: t.exposeString("status", { description: "due | sending | pending (accepted, result later) | sent | failed | skipped | task | held (its journey or step is paused: released by resumeJourney)" }),
    reason: t.exposeString("reason", { nullable: true, description: "why it was skipped, held or failed (expired, condition, migrated, opted-out, removed, left-stage, paused, not_a_friend, …)" }),
    providerError: t.exposeString("providerError", { nullable: true, description: "the provider's error code when delivery failed (e.g. 43101, 41051, 84061)" }),
    providerId: t.exposeString("providerId", { nullable: true, description: "the provider's message id (msgid, jobid …)" }),
    attempts: t.exposeInt("attempts", { description: "delivery attempts so far (retried with backoff on transient errors)" }),
    nextAttemptAt: t.expose("nextAttemptAt", { type: "DateTime", nullable: true, description: "when a retry or deferred send is due" }),
    sentAt: t.expose("sentAt", { type: "DateTime", nullable: true }),
  }),
});
