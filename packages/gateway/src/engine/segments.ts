import type { SqlRunner } from "../db/index.js";

/** A segment rule's `match`: attribute → exact value, or { in: [values] }, or { exists: true }. */
export type SegmentMatch = Record<string, unknown>;

export function matches(match: SegmentMatch, attributes: Record<string, unknown>): boolean {
  for (const [name, cond] of Object.entries(match)) {
    const value = attributes[name];
    if (cond !== null && typeof cond === "object" && !Array.isArray(cond)) {
      const c = cond as { in?: unknown[]; exists?: boolean };
      if (c.in && !c.in.map(String).includes(String(value))) return false;
      if (c.exists !== undefined && (value !== undefined && value !== null) !== c.exists) return false;
    } else if (String(value) !== String(cond)) return false;
  }
  return true;
}

/**
 * Routes a new customer: the first active rule (by priority) whose match fits their attributes
 * gives the journey and the staff member — a named one, or the next of the rule's team in
 * round-robin order (the cursor advances atomically, so concurrent gateways share the rotation).
 */
export async function routeCustomer(
  tx: SqlRunner,
  workspaceId: string,
  attributes: Record<string, unknown>,
): Promise<{ journeyKey: string; staffId: string | null; rule: string } | null> {
  const rules = await tx.query<{ id: string; name: string; match: SegmentMatch; journey_key: string; team: string | null; staff_id: string | null }>(
    `SELECT id, name, match, journey_key, team, staff_id FROM segment_rules WHERE workspace_id = $1 AND active ORDER BY priority, name`,
    [workspaceId],
  );
  const rule = rules.find((r) => matches(r.match ?? {}, attributes));
  if (!rule) return null;
  if (rule.staff_id || !rule.team) return { journeyKey: rule.journey_key, staffId: rule.staff_id, rule: rule.name };
  const team = await tx.query<{ id: string }>(`SELECT id FROM staff WHERE workspace_id = $1 AND team = $2 AND active ORDER BY external_id`, [workspaceId, rule.team]);
  if (team.length === 0) return { journeyKey: rule.journey_key, staffId: null, rule: rule.name };
  const [cursor] = await tx.query<{ rr_cursor: number }>(`UPDATE segment_rules SET rr_cursor = rr_cursor + 1 WHERE id = $1 RETURNING rr_cursor - 1 AS rr_cursor`, [rule.id]);
  return { journeyKey: rule.journey_key, staffId: team[(cursor?.rr_cursor ?? 0) % team.length]!.id, rule: rule.name };
}
