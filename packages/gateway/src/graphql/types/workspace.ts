import { builder } from "../builder.js";
import { DEFAULT_SLOTS, type MassSendSettings } from "../../wecom-integration/mass-send/slots.js";
import { AuthKindEnum, UnknownCustomersEnum } from "./enums.js";
import { type MomentsSettings, MomentsSettingsType } from "./moments-settings.js";
import { StaffType } from "./staff.js";
import { DEFAULT_OPT_OUT_KEYWORDS } from "../../live-sops/dnd.js";

/** What a workspace's settings JSON may hold. */
export interface WorkspaceSettings {
  unknownCustomers?: "create" | "reject";
  timezone?: string;
  /** 群发助手 send slots and per-customer budget (wecom-integration/mass-send/slots.ts). */
  massSend?: MassSendSettings;
  /** do-not-disturb keywords (src/live-sops/dnd.ts); unset: the defaults */
  optOutKeywords?: string[];
  moments?: MomentsSettings;
  /** One frequency cap per customer across all journeys (src/engine/marketing-cap.ts). */
  marketingCap?: { perDay?: number; perWeek?: number };
  /** Hours an unanswered opportunity waits before it escalates to the staff member's lead (default 4; 0: never). */
  opportunityEscalationHours?: number;
}

export const DEFAULT_TIMEZONE = "Asia/Shanghai";

const MarketingCapType = builder.objectRef<NonNullable<WorkspaceSettings["marketingCap"]>>("MarketingCap").implement({
  description: "Marketing touches one customer may get across all journeys; over it, lower-priority touches are deferred (never dropped).",
  fields: (t) => ({
    perDay: t.int({ nullable: true, description: "per local calendar day of the customer", resolve: (c) => c.perDay ?? null }),
    perWeek: t.int({ nullable: true, description: "per any 7 consecutive local days", resolve: (c) => c.perWeek ?? null }),
  }),
});

const MassSendSettingsType = builder.objectRef<MassSendSettings>("MassSendSettings").implement({
  description: "群发助手: daily send slots and each customer's budget (WeCom's rule; no API reads it).",
  fields: (t) => ({
    slots: t.stringList({ description: '"HH:mm" send slots (default 10:00 and 20:00)', resolve: (s) => s.slots ?? [...DEFAULT_SLOTS] }),
    timezone: t.string({ nullable: true, description: "zone of the slots; unset: the workspace's timezone, else Asia/Shanghai", resolve: (s) => s.timezone ?? null }),
    perDay: t.int({ description: "群发 per customer per day (default 1)", resolve: (s) => s.budget?.perDay ?? 1 }),
    perWeek: t.int({ nullable: true, description: "per customer per week (unset: no weekly limit)", resolve: (s) => s.budget?.perWeek ?? null }),
    perMonth: t.int({ nullable: true, description: "per customer per month (unset: the month's days)", resolve: (s) => s.budget?.perMonth ?? null }),
  }),
});

export const MassSendSettingsInput = builder.inputType("MassSendSettingsInput", {
  description: "Omitted fields keep their value.",
  fields: (t) => ({
    slots: t.stringList({ description: '"HH:mm" times, 1 to 24' }),
    timezone: t.string(),
    perDay: t.int(),
    perWeek: t.int(),
    perMonth: t.int(),
  }),
});

export const WorkspaceSettingsType = builder.objectRef<WorkspaceSettings>("WorkspaceSettings").implement({
  fields: (t) => ({
    massSend: t.field({ type: MassSendSettingsType, resolve: (s) => s.massSend ?? {} }),
    unknownCustomers: t.field({ type: UnknownCustomersEnum, resolve: (s) => (s.unknownCustomers === "create" ? "create" : "reject") }),
    timezone: t.string({
      nullable: true,
      description: `zone for "today" on the board; unset: the journey's zone, else ${DEFAULT_TIMEZONE}`,
      resolve: (s) => s.timezone ?? null,
    }),
    optOutKeywords: t.stringList({
      description: "an incoming message that is one of these (or contains a non-ASCII one) turns on the customer's do-not-disturb",
      resolve: (s) => s.optOutKeywords ?? DEFAULT_OPT_OUT_KEYWORDS,
    }),
    moments: t.field({ type: MomentsSettingsType, resolve: (s) => s.moments ?? {} }),
    marketingCap: t.field({ type: MarketingCapType, nullable: true, description: "unset: no cap across journeys", resolve: (s) => s.marketingCap ?? null }),
  }),
});

export const WorkspaceType = builder.prismaObject("Workspace", {
  select: { id: true, name: true, createdAt: true, settings: true },
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    settings: t.field({ type: WorkspaceSettingsType, resolve: (w) => (w.settings ?? {}) as WorkspaceSettings }),
  }),
});

export interface ViewerShape {
  kind: "apiKey" | "staff";
  workspaceId: string;
  staffId: string | null;
}

export const ViewerType = builder.objectRef<ViewerShape>("Viewer").implement({
  description: "Who is calling.",
  fields: (t) => ({
    kind: t.field({ type: AuthKindEnum, resolve: (v) => v.kind }),
    workspace: t.prismaField({
      type: WorkspaceType,
      resolve: (query, v, _args, ctx) => ctx.db.prisma.workspace.findUniqueOrThrow({ ...query, where: { id: v.workspaceId } }),
    }),
    staff: t.field({ type: StaffType, nullable: true, resolve: (v, _args, ctx) => (v.staffId ? ctx.loaders.staff.load(v.staffId) : null) }),
  }),
});
