import { builder } from "../builder.js";
import { AuthKindEnum, UnknownCustomersEnum } from "./enums.js";
import { type MomentsSettings, MomentsSettingsType } from "./moments-settings.js";
import { StaffType } from "./staff.js";
import { DEFAULT_OPT_OUT_KEYWORDS } from "../../live-sops/dnd.js";

/** What a workspace's settings JSON may hold. */
export interface WorkspaceSettings {
  unknownCustomers?: "create" | "reject";
  timezone?: string;
  /** do-not-disturb keywords (src/live-sops/dnd.ts); unset: the defaults */
  optOutKeywords?: string[];
  moments?: MomentsSettings;
}

export const DEFAULT_TIMEZONE = "Asia/Shanghai";

export const WorkspaceSettingsType = builder.objectRef<WorkspaceSettings>("WorkspaceSettings").implement({
  fields: (t) => ({
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
