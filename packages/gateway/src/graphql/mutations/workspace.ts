import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { badInput, notFound } from "../errors.js";
import { isTimeZone } from "../services/board.js";
import { DeliveryReportEnum, UnknownCustomersEnum } from "../types/enums.js";
import { MassSendSettingsInput, type WorkspaceSettings, WorkspaceSettingsType } from "../types/workspace.js";
import { type MassSendSettings, massSendSettingsIssues } from "../../wecom-integration/mass-send/slots.js";

builder.mutationFields((t) => ({
  updateWorkspaceSettings: t.field({
    type: WorkspaceSettingsType,
    description: "Changes workspace settings; omitted arguments keep their value.",
    extensions: { access: "apiKey" },
    args: {
      unknownCustomers: t.arg({ type: UnknownCustomersEnum }),
      timezone: t.arg.string({ description: 'IANA zone for the board\'s "today"' }),
      massSend: t.arg({ type: MassSendSettingsInput, description: "群发助手 send slots and per-customer budget" }),
    },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      if (args.timezone && !isTimeZone(args.timezone)) throw badInput(`timezone: "${args.timezone}" is not an IANA time zone`);
      const patch: WorkspaceSettings = {
        ...(args.unknownCustomers ? { unknownCustomers: args.unknownCustomers } : {}),
        ...(args.timezone ? { timezone: args.timezone } : {}),
      };
      const m = args.massSend;
      const ms: MassSendSettings | undefined = m
        ? {
            ...(m.slots ? { slots: m.slots } : {}),
            ...(m.timezone ? { timezone: m.timezone } : {}),
            budget: { ...(m.perDay != null ? { perDay: m.perDay } : {}), ...(m.perWeek != null ? { perWeek: m.perWeek } : {}), ...(m.perMonth != null ? { perMonth: m.perMonth } : {}) },
          }
        : undefined;
      if (ms) {
        const issues = massSendSettingsIssues(ms);
        if (m?.timezone && !isTimeZone(m.timezone)) issues.push(`massSend.timezone: "${m.timezone}" is not an IANA time zone`);
        if (issues.length > 0) throw badInput(issues.join("; "), issues.map((message) => ({ path: message.slice(0, message.indexOf(":")), message })));
      }
      // massSend merges one level down, so setting the slots keeps the budget
      const [row] = await ctx.db.sql.query<{ settings: WorkspaceSettings }>(
        `UPDATE workspaces SET settings = settings || $2::jsonb
           || CASE WHEN $3::jsonb IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('massSend',
                COALESCE(settings->'massSend', '{}'::jsonb) || ($3::jsonb - 'budget')
                || jsonb_build_object('budget', COALESCE(settings->'massSend'->'budget', '{}'::jsonb) || ($3::jsonb->'budget'))) END
         WHERE id = $1 RETURNING settings`,
        [auth.workspaceId, JSON.stringify(patch), ms ? JSON.stringify(ms) : null],
      );
      if (!row) throw notFound("workspace", auth.workspaceId);
      return row.settings;
    },
  }),
  acknowledgeDeliveries: t.int({
    description: "A channel server reports due deliveries (from contentDue) as sent or failed. Returns how many changed; others (already reported, another workspace's) are ignored.",
    extensions: { access: "apiKey", limits: { strings: { error: 1_000 } } },
    args: {
      ids: t.arg.idList({ required: true, description: "Delivery ids (keys) from contentDue" }),
      status: t.arg({ type: DeliveryReportEnum, required: true }),
      error: t.arg.string({ description: "provider error, for FAILED" }),
    },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      return ctx.db.sql.execute(
        `UPDATE deliveries SET status = $3, sent_at = CASE WHEN $3 = 'sent' THEN $4::timestamptz ELSE sent_at END,
           provider_error = CASE WHEN $3 = 'failed' THEN $5 ELSE provider_error END, attempts = attempts + 1
         WHERE workspace_id = $1 AND key = ANY($2::text[]) AND status = 'due'`,
        [auth.workspaceId, args.ids.map(String), args.status, ctx.now, args.error ?? null],
      );
    },
  }),
}));
