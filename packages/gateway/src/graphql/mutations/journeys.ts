import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { upsertJourney } from "../services/journeys.js";
import { JourneyType, LintIssueType } from "../types/journey.js";
import type { Journey as JourneyRow } from "../../db/index.js";
import type { LintIssue } from "@sopline/core";

const UpsertJourneyPayload = builder.objectRef<{ journey: JourneyRow; created: boolean; warnings: LintIssue[] }>("UpsertJourneyPayload").implement({
  fields: (t) => ({
    journey: t.field({ type: JourneyType, resolve: (p) => p.journey }),
    created: t.exposeBoolean("created", { description: "false when the definition equals the newest stored version" }),
    warnings: t.field({ type: [LintIssueType], resolve: (p) => p.warnings }),
  }),
});

builder.mutationFields((t) => ({
  upsertJourney: t.field({
    type: UpsertJourneyPayload,
    description:
      "Stores a journey definition (the core's JSON) as a new version when it changed. Invalid definitions fail with BAD_USER_INPUT and every problem in extensions.issues ({ path, message }).",
    args: { definition: t.arg({ type: "JSON", required: true }) },
    extensions: { access: "apiKey", limits: { argsBytes: 1024 * 1024, lists: { definition: 5_000 } } },
    resolve: (_root, args, ctx) => upsertJourney(ctx.db, ctx.registry, { workspaceId: requireAuth(ctx).workspaceId, definition: args.definition, now: ctx.now }),
  }),
}));
