import type { Effect } from "@sopline/core";
import { builder } from "../builder.js";

export const JourneyEffectType = builder.objectRef<Effect>("JourneyEffect").implement({
  description: "One thing that happened in a customer's journey (the core's effect, as data).",
  fields: (t) => ({
    type: t.string({ description: "step.due | step.skipped | stage.entered | stage.exited | tag.added | tag.removed | wait.ended | assignee.changed", resolve: (e) => e.type }),
    journey: t.string({ resolve: (e) => e.journey }),
    at: t.field({ type: "DateTime", description: "when it happened (for steps: when they were due)", resolve: (e) => ("dueAt" in e ? e.dueAt : e.at) }),
    stage: t.string({ nullable: true, resolve: (e) => ("stage" in e ? e.stage : e.type === "stage.entered" ? e.to : null) }),
    stepId: t.string({ nullable: true, resolve: (e) => ("stepId" in e ? e.stepId : null) }),
    key: t.string({ nullable: true, resolve: (e) => ("key" in e ? e.key : null) }),
    channel: t.string({ nullable: true, resolve: (e) => (e.type === "step.due" ? e.channel : null) }),
    content: t.string({ nullable: true, resolve: (e) => (e.type === "step.due" ? e.content : null) }),
    mode: t.string({ nullable: true, resolve: (e) => (e.type === "step.due" ? e.mode : null) }),
    reason: t.string({ nullable: true, resolve: (e) => ("reason" in e ? e.reason : null) }),
    from: t.string({ nullable: true, resolve: (e) => (e.type === "stage.entered" || e.type === "assignee.changed" ? e.from : null) }),
    to: t.string({ nullable: true, resolve: (e) => (e.type === "stage.entered" || e.type === "assignee.changed" ? e.to : null) }),
    tag: t.string({ nullable: true, resolve: (e) => (e.type === "tag.added" || e.type === "tag.removed" ? e.tag : null) }),
    data: t.field({ type: "JSON", description: "the whole effect", resolve: (e) => e }),
  }),
});

export interface TimelineUpdateShape {
  customerId: string;
  effects: Effect[];
}

export const TimelineUpdateType = builder.objectRef<TimelineUpdateShape>("TimelineUpdate").implement({
  fields: (t) => ({
    customerId: t.exposeID("customerId"),
    effects: t.field({ type: [JourneyEffectType], resolve: (u) => u.effects }),
  }),
});
