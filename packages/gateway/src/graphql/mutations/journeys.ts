import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { upsertJourney } from "../services/journeys.js";
import { JourneyType, LintIssueType } from "../types/journey.js";
import type { Journey as JourneyRow } from "../../db/index.js";
import type { LintIssue } from "@sopline/core";
import type { PublishImpact } from "../../engine/publish-impact.js";
import { publishNotices } from "../../live/publish-notices.js";
import { PublishImpactType } from "../types/publish-impact.js";
import { actorOf, writeAudit } from "../../live-sops/audit.js";

const UpsertJourneyPayload = builder.objectRef<{ journey: JourneyRow; created: boolean; warnings: LintIssue[]; migration: PublishImpact | null }>("UpsertJourneyPayload").implement({
  fields: (t) => ({
    journey: t.field({ type: JourneyType, resolve: (p) => p.journey }),
    created: t.exposeBoolean("created", { description: "false when the definition equals the newest stored version" }),
    warnings: t.field({ type: [LintIssueType], resolve: (p) => p.warnings }),
    migration: t.field({ type: PublishImpactType, nullable: true, description: "with migrate: true, what moving the customers in flight did; null otherwise", resolve: (p) => p.migration }),
  }),
});

builder.mutationFields((t) => ({
  upsertJourney: t.field({
    type: UpsertJourneyPayload,
    description:
      "Stores a journey definition (the core's JSON) as a new version when it changed. Invalid definitions fail with BAD_USER_INPUT and every problem in extensions.issues ({ path, message }); " +
      "so do automatic 1:1 private_chat steps other than the welcome on a gateway that delivers to WeCom without a private_chat adapter (no official WeCom path: use mode: \"task\" or delivery: \"mass_send\"). " +
      "With migrate: true the customers in flight on older versions move to this one (steps match by id; new steps whose time has passed are skipped as migrated, never sent late); see journeyPublishImpact for a dry run.",
    args: {
      definition: t.arg({ type: "JSON", required: true }),
      migrate: t.arg.boolean({ defaultValue: false, description: "move the customers in flight on older versions to this version" }),
    },
    extensions: { access: "apiKey", limits: { argsBytes: 1024 * 1024, lists: { definition: 5_000 } } },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      const result = await upsertJourney(ctx.db, ctx.registry, {
        workspaceId: auth.workspaceId,
        definition: args.definition,
        now: ctx.now,
        migrate: args.migrate ?? false,
        delivery: { wecom: ctx.wecomDelivery?.() ?? false, pushedChannels: ctx.pushedChannels?.() },
        onMigrated: (notices) => publishNotices(ctx.pubsub, notices),
      });
      // Audited when something changed: a new version, or customers moved onto it.
      if (result.created || (result.migration?.customers ?? 0) > 0) {
        const { key, version } = result.journey;
        const [previous] = await ctx.db.sql.query<{ version: number }>(
          `SELECT max(version) AS version FROM journeys WHERE workspace_id = $1 AND key = $2 AND version < $3`,
          [auth.workspaceId, key, version],
        );
        await writeAudit(ctx.db.sql, {
          workspaceId: auth.workspaceId,
          actor: actorOf(auth),
          action: "journey.publish",
          target: `journey:${key}`,
          before: { version: previous?.version ?? null },
          after: { version, created: result.created, migrate: args.migrate ?? false, ...(result.migration ? { migration: result.migration } : {}) },
          at: ctx.now,
        });
      }
      return result;
    },
  }),
}));
