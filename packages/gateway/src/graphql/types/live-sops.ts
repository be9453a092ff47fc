import { builder } from "../builder.js";
import type { AuditEntryRow } from "../../live-sops/audit.js";
import type { BulkResult } from "../../live-sops/bulk.js";
import type { DndResult } from "../../live-sops/dnd.js";
import type { PauseResult } from "../../live-sops/pause.js";
import { ALL_CHANNELS } from "../../live-sops/gates.js";

export const PauseResultType = builder.objectRef<PauseResult>("PauseResult").implement({
  description: "A journey or step paused or resumed.",
  fields: (t) => ({
    journeyKey: t.exposeString("journeyKey"),
    stepId: t.exposeString("stepId", { nullable: true, description: "null: the whole journey" }),
    paused: t.exposeBoolean("paused"),
    changed: t.exposeBoolean("changed", { description: "false when it already was in that state" }),
    steps: t.exposeInt("steps", { description: "pause: due, unsent steps now held; resume: held steps released (sent or made tasks)" }),
    expired: t.exposeInt("expired", { description: "resume: held steps past their expireAfter, skipped with reason expired" }),
    leftStage: t.exposeInt("leftStage", { description: "resume: held steps whose customer left the stage or the journey meanwhile, skipped with reason left-stage" }),
  }),
});

export const JourneyPauseType = builder.objectRef<{ journeyKey: string; stepId: string; pausedBy: string; pausedAt: Date }>("JourneyPause").implement({
  fields: (t) => ({
    journeyKey: t.exposeString("journeyKey"),
    stepId: t.string({ nullable: true, description: "null: the whole journey", resolve: (p) => p.stepId || null }),
    pausedBy: t.exposeString("pausedBy", { description: '"apiKey" or "staff:<id>"' }),
    pausedAt: t.expose("pausedAt", { type: "DateTime" }),
  }),
});

export const RemoveFromJourneyPayload = builder
  .objectRef<{ customerId: string; journeyKey: string; enrollments: number; cancelledSteps: number; cancelledTasks: number }>("RemoveFromJourneyPayload")
  .implement({
    fields: (t) => ({
      customerId: t.exposeID("customerId"),
      journeyKey: t.exposeString("journeyKey"),
      enrollments: t.exposeInt("enrollments", { description: "enrollments ended (one per staff member the customer is enrolled with)" }),
      cancelledSteps: t.exposeInt("cancelledSteps", { description: "unsent steps recorded as skipped with reason removed" }),
      cancelledTasks: t.exposeInt("cancelledTasks", { description: "open tasks skipped" }),
    }),
  });

const BulkStage = builder.objectRef<BulkResult["byStage"][number]>("BulkStageCount").implement({
  fields: (t) => ({ stage: t.exposeString("stage"), customers: t.exposeInt("customers") }),
});

export const BulkResultType = builder.objectRef<BulkResult>("BulkResult").implement({
  fields: (t) => ({
    action: t.exposeString("action", { description: '"move" or "remove"' }),
    dryRun: t.exposeBoolean("dryRun"),
    matched: t.exposeInt("matched", { description: "in-flight enrollments the filter matches now (the count to confirm with expectedCount)" }),
    byStage: t.field({ type: [BulkStage], resolve: (r) => r.byStage }),
    changed: t.exposeInt("changed", { description: "moved or removed (0 in a dry run)" }),
    batches: t.exposeInt("batches", { description: "transactions the work took" }),
    cancelledSteps: t.exposeInt("cancelledSteps", { description: "removals: unsent steps skipped with reason removed" }),
  }),
});

export const DoNotDisturbResultType = builder.objectRef<DndResult>("DoNotDisturbResult").implement({
  fields: (t) => ({
    customerId: t.exposeID("customerId"),
    channel: t.exposeString("channel", { nullable: true, description: "null: every channel" }),
    on: t.exposeBoolean("on"),
    changed: t.exposeBoolean("changed", { description: "false when it already was so" }),
    skippedSteps: t.exposeInt("skippedSteps", { description: "unsent steps on that channel skipped with reason opted-out" }),
  }),
});

export const DoNotDisturbEntryType = builder.objectRef<{ channel: string; source: string; reason: string | null; since: Date }>("DoNotDisturbEntry").implement({
  fields: (t) => ({
    channel: t.string({ nullable: true, description: "null: every channel", resolve: (e) => (e.channel === ALL_CHANNELS ? null : e.channel) }),
    source: t.exposeString("source", { description: '"api" or "keyword"' }),
    reason: t.exposeString("reason", { nullable: true, description: "the operator's reason, or the keyword the customer sent" }),
    since: t.expose("since", { type: "DateTime" }),
  }),
});

export const AuditEntryType = builder.objectRef<AuditEntryRow>("AuditEntry").implement({
  description: "One change an operator made (or a customer, by an opt-out keyword).",
  fields: (t) => ({
    id: t.exposeID("id", { description: "increasing: pass the last one as `before` for the next page" }),
    actorKind: t.exposeString("actorKind", { description: '"apiKey", "staff" or "customer"' }),
    actorId: t.exposeString("actorId", { nullable: true, description: "the staff member's or customer's id" }),
    action: t.exposeString("action", { description: "journey.publish, journey.pause, journey.resume, step.pause, step.resume, enrollment.remove, bulk.move, bulk.remove, dnd.set, dnd.clear, settings.update" }),
    target: t.exposeString("target", { description: 'e.g. "journey:sales", "journey:sales/step:call", "customer:<id>"' }),
    before: t.field({ type: "JSON", nullable: true, resolve: (e) => e.before }),
    after: t.field({ type: "JSON", nullable: true, resolve: (e) => e.after }),
    at: t.expose("at", { type: "DateTime" }),
  }),
});

export const BulkActionEnum = builder.enumType("BulkAction", {
  values: {
    MOVE: { value: "move" as const, description: "enter toStage now (as a manual move from the board)" },
    REMOVE: { value: "remove" as const, description: "end their journey; unsent steps skipped (removed)" },
  },
});

export const BulkFilterInput = builder.inputType("BulkFilterInput", {
  description: "In-flight enrollments of one journey, narrowed by each field given.",
  fields: (t) => ({
    journeyKey: t.string({ required: true }),
    stage: t.string(),
    tag: t.string({ description: "customers with this tag" }),
    staffId: t.id({ description: "enrollments owned by this staff member" }),
  }),
});

export const AuditFilterInput = builder.inputType("AuditFilterInput", {
  fields: (t) => ({
    action: t.string({ description: 'exact, or a prefix ending in "." ("journey.")' }),
    actorKind: t.string({ description: '"apiKey", "staff" or "customer"' }),
    actorId: t.string(),
    target: t.string({ description: 'a target and what is under it ("customer:<id>" also finds "customer:<id>/journey:sales"), or a prefix ending in ":" or "/"' }),
    since: t.field({ type: "DateTime" }),
    until: t.field({ type: "DateTime", description: "exclusive" }),
  }),
});
