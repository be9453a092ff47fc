import { DEFAULT_MOMENTS_POLICY } from "../../wecom-integration/moments/policy.js";
import { builder } from "../builder.js";

/** `settings.moments` as stored: see src/wecom-integration/moments/policy.ts. */
export interface MomentsSettings {
  period?: string | number;
  postsPerStaffPerDay?: number;
}

const DEFAULT_DAYS = DEFAULT_MOMENTS_POLICY.periodMs / 86_400_000;

export const MomentsSettingsType = builder.objectRef<MomentsSettings>("MomentsSettings").implement({
  description: "Moments as a staff calendar: one post per staff member per content per period, a cap on posts per staff member per day.",
  fields: (t) => ({
    period: t.string({
      nullable: true,
      description: `A content is posted at most once per staff member per period (a step's moments.period wins); unset: the gateway's, by default ${DEFAULT_DAYS} days`,
      resolve: (s) => (s.period === undefined ? null : String(s.period)),
    }),
    postsPerStaffPerDay: t.int({
      nullable: true,
      description: `Posts per staff member per day; further posts wait for the next day. Unset: the gateway's, by default ${DEFAULT_MOMENTS_POLICY.postsPerStaffPerDay}`,
      resolve: (s) => s.postsPerStaffPerDay ?? null,
    }),
  }),
});

export const MomentsSettingsInput = builder.inputType("MomentsSettingsInput", {
  fields: (t) => ({
    period: t.string({ description: 'e.g. "7d", "2w" (at least 1 day)' }),
    postsPerStaffPerDay: t.int({ description: "1 to 100" }),
  }),
});
