import type { SqlRunner } from "../../db/index.js";
import { MomentsSettingError, resolveMomentsPolicy } from "../../wecom-integration/moments/policy.js";
import { badInput } from "../errors.js";
import type { MomentsSettings } from "../types/moments-settings.js";

/**
 * The workspace's `settings.moments` with the given fields replaced, validated as a whole (nothing
 * is stored when a field is bad: BAD_USER_INPUT names it, e.g. `moments.period`).
 */
export async function momentsPatch(sql: SqlRunner, workspaceId: string, input: { period?: string | null; postsPerStaffPerDay?: number | null }): Promise<MomentsSettings> {
  const [row] = await sql.query<{ moments: MomentsSettings | null }>(`SELECT settings->'moments' AS moments FROM workspaces WHERE id = $1`, [workspaceId]);
  const merged: MomentsSettings = {
    ...(row?.moments ?? {}),
    ...(input.period != null ? { period: input.period } : {}),
    ...(input.postsPerStaffPerDay != null ? { postsPerStaffPerDay: input.postsPerStaffPerDay } : {}),
  };
  try {
    resolveMomentsPolicy(merged, undefined, "moments");
  } catch (e) {
    if (e instanceof MomentsSettingError) throw badInput(e.message, [{ path: e.path, message: e.message.slice(e.path.length + 2) }]);
    throw e;
  }
  return merged;
}
