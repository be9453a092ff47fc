import type { SqlRunner } from "../db/index.js";

/** Who made a change: the workspace's API key, a staff member, or a customer (a do-not-disturb keyword). */
export interface Actor {
  kind: "apiKey" | "staff" | "customer";
  id: string | null;
}

/** The actor of an authenticated request. */
export function actorOf(auth: { kind: "apiKey" | "staff"; staffId?: string | undefined }): Actor {
  return auth.kind === "staff" ? { kind: "staff", id: auth.staffId ?? null } : { kind: "apiKey", id: null };
}

export interface AuditInput {
  workspaceId: string;
  actor: Actor;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
  at: Date;
}

/** One audit entry as read back. */
export interface AuditEntryRow {
  id: string;
  actorKind: string;
  actorId: string | null;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  at: Date;
}

/** Records an operator's change; call it in the transaction that makes the change when there is one. */
export async function writeAudit(sql: SqlRunner, e: AuditInput): Promise<void> {
  await sql.execute(
    `INSERT INTO audit_log (workspace_id, actor_kind, actor_id, action, target, before, after, at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)`,
    [e.workspaceId, e.actor.kind, e.actor.id, e.action, e.target, e.before === undefined ? null : JSON.stringify(e.before), e.after === undefined ? null : JSON.stringify(e.after), e.at],
  );
}

export interface AuditFilter {
  /** exact action, or a prefix ending in "." (e.g. "journey.") */
  action?: string | null;
  actorKind?: string | null;
  actorId?: string | null;
  /** a target and what is under it ("journey:sales" also finds "journey:sales/step:call"), or a prefix ending in "/" or ":" */
  target?: string | null;
  since?: Date | null;
  until?: Date | null;
  /** entries older than this id (the previous page's last id) */
  before?: string | null;
  /** at most 500 (default 50) */
  limit?: number | null;
}

/** A workspace's audit entries, newest first. */
export async function readAudit(sql: SqlRunner, workspaceId: string, f: AuditFilter): Promise<AuditEntryRow[]> {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 500);
  const prefix = (v: string | null | undefined, ends: string[]) => (v && ends.some((e) => v.endsWith(e)) ? v : null);
  const actionPrefix = prefix(f.action, ["."]);
  const targetPrefix = prefix(f.target, ["/", ":"]);
  const rows = await sql.query<{ id: string; actor_kind: string; actor_id: string | null; action: string; target: string; before: unknown; after: unknown; at: Date }>(
    `SELECT id::text AS id, actor_kind, actor_id, action, target, before, after, at FROM audit_log
     WHERE workspace_id = $1
       AND ($2::text IS NULL OR action = $2 OR (starts_with(action, $3::text) AND $3::text IS NOT NULL))
       AND ($4::text IS NULL OR actor_kind = $4) AND ($5::text IS NULL OR actor_id = $5)
       AND ($6::text IS NULL OR target = $6 OR starts_with(target, $6 || '/') OR (starts_with(target, $7::text) AND $7::text IS NOT NULL))
       AND ($8::timestamptz IS NULL OR at >= $8) AND ($9::timestamptz IS NULL OR at < $9)
       AND ($10::bigint IS NULL OR id < $10::bigint)
     ORDER BY id DESC LIMIT $11`,
    [workspaceId, f.action ?? null, actionPrefix, f.actorKind ?? null, f.actorId ?? null, f.target ?? null, targetPrefix, f.since ?? null, f.until ?? null, f.before ?? null, limit],
  );
  return rows.map((r) => ({ id: r.id, actorKind: r.actor_kind, actorId: r.actor_id, action: r.action, target: r.target, before: r.before, after: r.after, at: new Date(r.at) }));
}
