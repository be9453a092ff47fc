import type { SqlRunner } from "../db/index.js";
import { jsonPathStep } from "../db/storable-text.js";

/** A segment rule's `match`: attribute → exact value, or { in: [values] }, or { exists: true }. */
export type SegmentMatch = Record<string, unknown>;

/** A stored segment rule, as routing reads it. */
export interface SegmentRule {
  id: string;
  name: string;
  match: SegmentMatch | null;
  journey_key: string;
  team: string | null;
  staff_id: string | null;
}

const isScalar = (v: unknown) => v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/**
 * What is wrong with a rule's `match`, with the path of the condition (e.g. `.source.in`), or
 * null. Checked when the rule is saved, so routing never meets a rule it cannot read.
 */
export function segmentMatchIssue(match: unknown): { path: string; message: string } | null {
  if (match === null || typeof match !== "object" || Array.isArray(match)) return { path: "", message: "expected a JSON object of attribute conditions" };
  for (const [name, cond] of Object.entries(match)) {
    if (isScalar(cond)) continue;
    const path = jsonPathStep(name);
    const keys = typeof cond === "object" && !Array.isArray(cond) ? Object.keys(cond as object) : [];
    if (keys.length === 0 || keys.some((k) => k !== "in" && k !== "exists")) return { path, message: `expected a value, { "in": [values] } or { "exists": true|false }, got ${JSON.stringify(cond)}` };
    const c = cond as { in?: unknown; exists?: unknown };
    if (c.in !== undefined && (!Array.isArray(c.in) || !c.in.every(isScalar))) return { path: `${path}.in`, message: "expected a list of values" };
    if (c.exists !== undefined && typeof c.exists !== "boolean") return { path: `${path}.exists`, message: "expected true or false" };
  }
  return null;
}

export function matches(match: SegmentMatch, attributes: Record<string, unknown>): boolean {
  for (const [name, cond] of Object.entries(match)) {
    const value = attributes[name];
    if (cond !== null && typeof cond === "object" && !Array.isArray(cond)) {
      const c = cond as { in?: unknown; exists?: boolean };
      // A condition saved before rules were checked, which no value can meet.
      if (c.in !== undefined && !(Array.isArray(c.in) && c.in.map(String).includes(String(value)))) return false;
      if (c.exists !== undefined && (value !== undefined && value !== null) !== c.exists) return false;
    } else if (String(value) !== String(cond)) return false;
  }
  return true;
}

/** The workspace's active rules, in the order they are tried (by priority, then name). */
export function loadSegmentRules(tx: SqlRunner, workspaceId: string): Promise<SegmentRule[]> {
  return tx.query<SegmentRule>(`SELECT id, name, match, journey_key, team, staff_id FROM segment_rules WHERE workspace_id = $1 AND active ORDER BY priority, name`, [workspaceId]);
}

/** The first rule whose match fits the attributes. */
export function findSegmentRule(rules: SegmentRule[], attributes: Record<string, unknown>): SegmentRule | undefined {
  return rules.find((r) => matches(r.match ?? {}, attributes));
}

/**
 * The staff member a rule gives a new customer: a named one, or the next of the rule's team in
 * round-robin order (the cursor advances atomically, so concurrent gateways share the rotation).
 */
export async function assignStaff(tx: SqlRunner, workspaceId: string, rule: SegmentRule): Promise<string | null> {
  if (rule.staff_id || !rule.team) return rule.staff_id;
  const team = await tx.query<{ id: string }>(`SELECT id FROM staff WHERE workspace_id = $1 AND team = $2 AND active ORDER BY external_id`, [workspaceId, rule.team]);
  if (team.length === 0) return null;
  const [cursor] = await tx.query<{ rr_cursor: number }>(`UPDATE segment_rules SET rr_cursor = rr_cursor + 1 WHERE id = $1 RETURNING rr_cursor - 1 AS rr_cursor`, [rule.id]);
  return team[(cursor?.rr_cursor ?? 0) % team.length]!.id;
}

/**
 * Routes a new customer: the first active rule (by priority) whose match fits their attributes
 * gives the journey and the staff member.
 */
export async function routeCustomer(
  tx: SqlRunner,
  workspaceId: string,
  attributes: Record<string, unknown>,
): Promise<{ journeyKey: string; staffId: string | null; rule: string } | null> {
  const rule = findSegmentRule(await loadSegmentRules(tx, workspaceId), attributes);
  if (!rule) return null;
  return { journeyKey: rule.journey_key, staffId: await assignStaff(tx, workspaceId, rule), rule: rule.name };
}
