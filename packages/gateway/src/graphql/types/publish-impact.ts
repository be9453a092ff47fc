import { builder } from "../builder.js";
import type { PublishImpact } from "../../engine/publish-impact.js";

const StageCount = builder.objectRef<PublishImpact["byStage"][number]>("PublishImpactStage").implement({
  fields: (t) => ({
    stage: t.exposeString("stage"),
    customers: t.exposeInt("customers"),
  }),
});

const NewStep = builder.objectRef<PublishImpact["newSteps"][number]>("PublishImpactNewStep").implement({
  description: "A step the customers' stage did not have before, still ahead of them: they will receive it once.",
  fields: (t) => ({
    stage: t.exposeString("stage"),
    stepId: t.exposeString("stepId"),
    customers: t.exposeInt("customers"),
  }),
});

const SkippedStep = builder.objectRef<PublishImpact["skippedAsMigrated"][number]>("PublishImpactSkippedStep").implement({
  description: "A new step whose time had already passed for these customers: recorded as skipped (reason migrated), never sent.",
  fields: (t) => ({
    stepId: t.exposeString("stepId"),
    customers: t.exposeInt("customers"),
  }),
});

/** What moving a journey's customers in flight onto a version does (upsertJourney(migrate: true)) or would do (journeyPublishImpact). */
export const PublishImpactType = builder.objectRef<PublishImpact>("PublishImpact").implement({
  description: "What moving the customers already in a journey (in-flight enrollments of older versions) onto a new version does to them.",
  fields: (t) => ({
    customers: t.exposeInt("customers", { description: "in-flight enrollments of older versions (a customer enrolled with two staff members counts twice)" }),
    byStage: t.field({ type: [StageCount], description: "where they are", resolve: (p) => p.byStage }),
    newSteps: t.field({ type: [NewStep], resolve: (p) => p.newSteps }),
    skippedAsMigrated: t.field({ type: [SkippedStep], resolve: (p) => p.skippedAsMigrated }),
  }),
});

export const JourneyPublishImpactType = builder
  .objectRef<PublishImpact & { journey: string; version: number; changed: boolean }>("JourneyPublishImpact")
  .implement({
    description: "What publishing a definition would do (nothing is stored).",
    fields: (t) => ({
      journey: t.exposeString("journey", { description: "the journey's key (the definition's id)" }),
      version: t.exposeInt("version", { description: "the version publishing would store (the newest stored one when unchanged)" }),
      changed: t.exposeBoolean("changed", { description: "false when the definition equals the newest stored version" }),
      migration: t.field({ type: PublishImpactType, description: "what upsertJourney(migrate: true) would do to the customers in flight", resolve: (p) => p }),
    }),
  });
