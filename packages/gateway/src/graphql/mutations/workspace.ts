import { builder } from "../builder.js";
import { requireAuth } from "../context.js";
import { badInput, notFound } from "../errors.js";
import { isTimeZone } from "../services/board.js";
import { DeliveryReportEnum, UnknownCustomersEnum } from "../types/enums.js";
import { MomentsSettingsInput } from "../types/moments-settings.js";
import { MassSendSettingsInput, type WorkspaceSettings, WorkspaceSettingsType } from "../types/workspace.js";
import { type MassSendSettings, massSendSettingsIssues } from "../../wecom-integration/mass-send/slots.js";
import { momentsPatch } from "../services/moments-settings.js";
import { actorOf, writeAudit } from "../../live-sops/audit.js";

const MAX_OPT_OUT_KEYWORDS = 50;

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
      massSend: t.arg({ type: MassSendSettingsInput, description: "群发助手 send slots and per-customer budget" }),
      optOutKeywords: t.arg.stringList({ description: `messages that turn on a customer's do-not-disturb (default 退订, 别发了, TD; [] turns keywords off; at most ${MAX_OPT_OUT_KEYWORDS})` }),
      moments: t.arg({ type: MomentsSettingsInput, description: "Moments calendar: given fields replace the stored ones" }),
    },
    resolve: async (_root, args, ctx) => {
      const auth = requireAuth(ctx);
      if (args.timezone && !isTimeZone(args.timezone)) throw badInput(`timezone: "${args.timezone}" is not an IANA time zone`);
      const cap = capPatch(args.marketingTouchesPerDay, args.marketingTouchesPerWeek);
      const keywords = args.optOutKeywords?.map((k) => k.trim());
      if (keywords && keywords.length > MAX_OPT_OUT_KEYWORDS) throw badInput(`optOutKeywords: at most ${MAX_OPT_OUT_KEYWORDS} keywords, got ${keywords.length}`);
      const badKeyword = keywords?.findIndex((k) => k.length === 0 || k.length > 50) ?? -1;
      if (badKeyword >= 0) throw badInput(`optOutKeywords[${badKeyword}]: a keyword is 1 to 50 characters, got ${JSON.stringify(args.optOutKeywords![badKeyword])}`);
      const patch: WorkspaceSettings = {
        ...(args.unknownCustomers ? { unknownCustomers: args.unknownCustomers } : {}),
        ...(args.timezone ? { timezone: args.timezone } : {}),
        ...(keywords ? { optOutKeywords: [...new Set(keywords)] } : {}),
        ...(args.moments ? { moments: await momentsPatch(ctx.db.sql, auth.workspaceId, args.moments) } : {}),
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
      return ctx.db.sql.transaction(async (tx) => {
        const [before] = await tx.query<{ settings: WorkspaceSettings }>(`SELECT settings FROM workspaces WHERE id = $1 FOR UPDATE`, [auth.workspaceId]);
        if (!before) throw notFound("workspace", auth.workspaceId);
        // The cap's two limits change one by one; with neither left the key goes.
        const removed: string[] = [];
        if (cap) {
          const merged = Object.fromEntries(Object.entries({ ...before.settings.marketingCap, ...cap }).filter(([, v]) => v !== null)) as NonNullable<WorkspaceSettings["marketingCap"]>;
          if (Object.keys(merged).length > 0) patch.marketingCap = merged;
          else removed.push("marketingCap");
        }
        // massSend merges one level down, so setting the slots keeps the budget
        const [row] = await tx.query<{ settings: WorkspaceSettings }>(
          `UPDATE workspaces SET settings = ((settings || $2::jsonb) - $4::text[])
             || CASE WHEN $3::jsonb IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('massSend',
                  COALESCE(settings->'massSend', '{}'::jsonb) || ($3::jsonb - 'budget')
                  || jsonb_build_object('budget', COALESCE(settings->'massSend'->'budget', '{}'::jsonb) || ($3::jsonb->'budget'))) END
           WHERE id = $1 RETURNING settings`,
          [auth.workspaceId, JSON.stringify(patch), ms ? JSON.stringify(ms) : null, removed],
        );
        // Only the keys the call set, before and after (the settings JSON holds no secrets, but stays small this way).
        const changed = [...Object.keys(patch), ...removed, ...(ms ? ["massSend"] : [])].filter((k) => JSON.stringify(before.settings[k as keyof WorkspaceSettings]) !== JSON.stringify(row!.settings[k as keyof WorkspaceSettings]));
        if (changed.length > 0) {
          const pick = (s: WorkspaceSettings) => Object.fromEntries(changed.map((k) => [k, s[k as keyof WorkspaceSettings] ?? null]));
          await writeAudit(tx, { workspaceId: auth.workspaceId, actor: actorOf(auth), action: "settings.update", target: "workspace", before: pick(before.settings), after: pick(row!.settings), at: ctx.now });
        }
        return row!.settings;
      });
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
