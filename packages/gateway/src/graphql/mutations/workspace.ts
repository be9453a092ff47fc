import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { badInput, notFound } from "../errors.js";
import { isTimeZone } from "../services/board.js";
import { DeliveryReportEnum, UnknownCustomersEnum } from "../types/enums.js";
import { type WorkspaceSettings, WorkspaceSettingsType } from "../types/workspace.js";

builder.mutationFields((t) => ({
  updateWorkspaceSettings: t.field({
    type: WorkspaceSettingsType,
    description: "Changes workspace settings; omitted arguments keep their value.",
    extensions: { access: "apiKey" },
    args: {
      unknownCustomers: t.arg({ type: UnknownCustomersEnum }),
      timezone: t.arg.string({ description: 'IANA zone for the board\'s "today"' }),
      marketingTouchesPerDay: t.arg.int({ description: `marketing touches a customer may get per local day across all journeys, 1–${MAX_CAP}; null removes this limit` }),
      marketingTouchesPerWeek: t.arg.int({ description: `…per any 7 consecutive local days, 1–${MAX_CAP}; null removes this limit` }),
    },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      if (args.timezone && !isTimeZone(args.timezone)) throw badInput(`timezone: "${args.timezone}" is not an IANA time zone`);
      const cap = capPatch(args.marketingTouchesPerDay, args.marketingTouchesPerWeek);
      const patch: WorkspaceSettings = {
        ...(args.unknownCustomers ? { unknownCustomers: args.unknownCustomers } : {}),
        ...(args.timezone ? { timezone: args.timezone } : {}),
      };
      const [row] = await ctx.db.sql.query<{ settings: WorkspaceSettings }>(
        `UPDATE workspaces SET settings = CASE WHEN $3::jsonb IS NULL THEN settings || $2::jsonb ELSE ((settings || $2::jsonb) - 'marketingCap') || (
             SELECT CASE WHEN c = '{}'::jsonb THEN '{}'::jsonb ELSE jsonb_build_object('marketingCap', c) END
             FROM jsonb_strip_nulls(COALESCE(settings->'marketingCap', '{}'::jsonb) || $3::jsonb) AS c) END
         WHERE id = $1 RETURNING settings`,
        [auth.workspaceId, JSON.stringify(patch), cap === null ? null : JSON.stringify(cap)],
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

/** Most marketing touches a cap may allow per period (more is no cap at all). */
const MAX_CAP = 1_000;

/**
 * The change to settings.marketingCap: a limit per period, null to remove it; omitted keeps it.
 * Refused before anything is written: a cap of 0 or less would silence every journey.
 */
function capPatch(perDay: number | null | undefined, perWeek: number | null | undefined): { perDay?: number | null; perWeek?: number | null } | null {
  const check = (name: string, v: number | null | undefined) => {
    if (v === undefined || v === null) return;
    if (v < 1) throw badInput(`${name}: ${v} is not a cap; allow at least 1 marketing touch (pass null to remove the limit)`);
    if (v > MAX_CAP) throw badInput(`${name}: ${v} is above the maximum of ${MAX_CAP}`);
  };
  check("marketingTouchesPerDay", perDay);
  check("marketingTouchesPerWeek", perWeek);
  if (perDay === undefined && perWeek === undefined) return null;
  return { ...(perDay !== undefined ? { perDay } : {}), ...(perWeek !== undefined ? { perWeek } : {}) };
}
