import { createHash, randomBytes } from "node:crypto";
import type { Database, SqlRunner } from "../db/index.js";

/** Workspace API keys look like `sk_<43 base64url chars>`; staff tokens are JWTs (three dot-separated parts). */
export const API_KEY_PREFIX = "sk_";

/** A new random workspace API key (256 bits). Shown once; only its sha256 is stored. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** sha256 hex, as stored in workspaces.api_key_hash. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** A per-workspace secret for signing staff tokens (HS256), kept sealed in workspaces.token_secret (tokens.ts). */
export function generateTokenSecret(): string {
  return randomBytes(32).toString("base64url");
}

export interface CreatedWorkspace {
  id: string;
  name: string;
  /** The API key in clear: returned once, never stored. */
  apiKey: string;
}

/**
 * Creates a workspace (tenant) with an API key (given, or generated). Its staff-token secret is
 * made, sealed, on first use (tokenSecretOf).
 * @example const { id, apiKey } = await createWorkspace(db.sql, { name: "acme" });
 */
export async function createWorkspace(
  sql: SqlRunner,
  options: { name: string; apiKey?: string | undefined; settings?: Record<string, unknown> },
): Promise<CreatedWorkspace> {
  const apiKey = options.apiKey ?? generateApiKey();
  if (apiKey.length < 16) throw new Error("an API key needs at least 16 characters");
  const settings = { unknownCustomers: "reject", ...options.settings };
  const [row] = await sql.query<{ id: string }>(
    `INSERT INTO workspaces (name, api_key_hash, settings) VALUES ($1, $2, $3::jsonb) RETURNING id`,
    [options.name, hashApiKey(apiKey), JSON.stringify(settings)],
  );
  return { id: row!.id, name: options.name, apiKey };
}

/**
 * On first start (no workspace at all) creates the workspace "default" with `adminKey` (or a
 * generated key, returned so it can be printed once). Concurrent gateways on one PostgreSQL
 * create it once (advisory lock).
 */
export async function ensureDefaultWorkspace(
  db: Database,
  adminKey?: string,
): Promise<{ workspaceId: string; created: boolean; apiKey?: string; generated: boolean }> {
  return db.sql.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sopline:default-workspace'))`);
    const [first] = await tx.query<{ id: string }>(`SELECT id FROM workspaces ORDER BY created_at, id LIMIT 1`);
    if (first) return { workspaceId: first.id, created: false, generated: false };
    const ws = await createWorkspace(tx, { name: "default", apiKey: adminKey });
    return { workspaceId: ws.id, created: true, apiKey: ws.apiKey, generated: adminKey === undefined };
  });
}
