import type { JourneyDefinition } from "@sopline/core";
import { builder } from "../builder.js";

export interface JourneyStageShape {
  id: string;
  name: string | null;
  kind: string | null;
  steps: number;
}

export const JourneyStageType = builder.objectRef<JourneyStageShape>("JourneyStage").implement({
  fields: (t) => ({
    id: t.exposeString("id"),
    name: t.exposeString("name", { nullable: true }),
    kind: t.exposeString("kind", { nullable: true, description: "nurture | quiet | converted | …" }),
    steps: t.exposeInt("steps", { description: "steps in the stage's SOP" }),
  }),
});

export const definitionOf = (j: { definition: unknown }) => j.definition as JourneyDefinition;

export const JourneyType = builder.prismaObject("Journey", {
  description: "One stored version of a journey definition.",
  fields: (t) => ({
    id: t.exposeID("id"),
    key: t.exposeString("key", { description: "the definition's id, e.g. b2b-nurture" }),
    version: t.exposeInt("version"),
    name: t.string({ nullable: true, resolve: (j) => definitionOf(j).name ?? null }),
    timezone: t.string({ resolve: (j) => definitionOf(j).timezone }),
    entry: t.string({ description: "the entry stage", resolve: (j) => definitionOf(j).entry }),
    stages: t.field({
      type: [JourneyStageType],
      resolve: (j) => definitionOf(j).stages.map((s) => ({ id: s.id, name: s.name ?? null, kind: s.kind ?? null, steps: s.sop?.length ?? 0 })),
    }),
    definition: t.expose("definition", { type: "JSON" }),
    active: t.exposeBoolean("active"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export interface LintIssueShape {
  level: string;
  code: string;
  path: string;
  message: string;
}

export const LintIssueType = builder.objectRef<LintIssueShape>("LintIssue").implement({
  description: "A warning about a valid journey (daily sends, few touches, missing or expired content, …).",
  fields: (t) => ({
    level: t.exposeString("level"),
    code: t.exposeString("code"),
    path: t.exposeString("path"),
    message: t.exposeString("message"),
  }),
});
