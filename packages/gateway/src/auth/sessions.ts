// Staff sessions: one per issued staff token. The access token (a short-lived JWT) names its
// session (`sid`); the refresh token (random, only its sha256 stored) gets a new access token and
// is replaced on every use. Revoking a session, or all of a member's, stops its tokens at once.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Sql, SqlRunner } from "../db/index.js";
import type { SecretBox } from "./secret-box.js";
import { InvalidTokenError, signStaffToken, tokenSecretOf } from "./tokens.js";

/** Refresh tokens look like `sr_<session id>.<43 base64url chars>`. */
export const REFRESH_TOKEN_PREFIX = "sr_";

export interface IssuedStaffToken {
  /** The session id: pass it to revokeStaffToken. */
  sessionId: string;
  staffId: string;
  token: string;
  expiresAt: Date;
  /** Seconds from issue to expiresAt (a client with a wrong clock counts from receipt). */
  expiresIn: number;
  refreshToken: string;
  /** The session's end: no refresh works after it. */
  refreshExpiresAt: Date;
}

/** What a revocation tells live subscriptions: one session, or all of a staff member's (sessionId null). */
export interface StaffRevocation {
  workspaceId: string;
  staffId: string;
  sessionId: string | null;
}

export class StaffNotFoundError extends Error {
  readonly code = "NOT_FOUND";
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();
const newRefreshSecret = () => randomBytes(32).toString("base64url");
const sameHash = (a: Buffer, hex: string | null) => hex !== null && hex.length === 64 && timingSafeEqual(a, Buffer.from(hex, "hex"));

function parseRefreshToken(refreshToken: string): { sessionId: string; secret: string } {
  const dot = refreshToken.indexOf(".");
  if (!refreshToken.startsWith(REFRESH_TOKEN_PREFIX) || dot < 0 || refreshToken.length > 200) {
    throw new InvalidTokenError(`refreshToken: expected "${REFRESH_TOKEN_PREFIX}<session>.<secret>" as returned by issueStaffToken or refreshStaffToken`);
  }
  return { sessionId: refreshToken.slice(REFRESH_TOKEN_PREFIX.length, dot), secret: refreshToken.slice(dot + 1) };
}

/** Starts a session for an active staff member of the workspace and signs its first access token. */
export async function issueStaffToken(
  sql: SqlRunner,
  box: SecretBox,
  args: { workspaceId: string; staffId: string; now: Date; ttlSeconds: number; sessionTtlSeconds: number },
): Promise<IssuedStaffToken> {
  const secret = await tokenSecretOf(sql, box, args.workspaceId);
  if (!secret) throw new StaffNotFoundError(`workspace ${args.workspaceId} not found`);
  const refreshSecret = newRefreshSecret();
  const refreshExpiresAt = new Date(args.now.getTime() + args.sessionTtlSeconds * 1000);
  const [session] = await sql.query<{ id: string }>(
    `INSERT INTO staff_sessions (workspace_id, staff_id, refresh_hash, created_at, expires_at)
     SELECT workspace_id, id, $3, $4, $5 FROM staff WHERE id = $2 AND workspace_id = $1 AND active
     RETURNING id`,
    [args.workspaceId, args.staffId, sha256(refreshSecret).toString("hex"), args.now, refreshExpiresAt],
  );
  if (!session) throw new StaffNotFoundError(`active staff member ${args.staffId} not found`);
  return sign(secret, { ...args, sessionId: session.id, refreshSecret, refreshExpiresAt });
}

/**
 * A new access token and refresh token for a refresh token, which is used up. Presenting a used
 * one again means two parties hold it: the session is revoked (`onRevoked` is told) and both
 * must sign in again.
 */
export async function refreshStaffToken(
  sql: Sql,
  box: SecretBox,
  args: { refreshToken: string; now: Date; ttlSeconds: number; onRevoked?: (r: StaffRevocation) => void },
): Promise<IssuedStaffToken> {
  const { sessionId, secret: presented } = parseRefreshToken(args.refreshToken);
  const hash = sha256(presented);
  const outcome = await sql.transaction(async (tx) => {
    const [s] = await tx.query<{
      workspace_id: string;
      staff_id: string;
      refresh_hash: string;
      previous_refresh_hash: string | null;
      expires_at: Date;
      revoked_at: Date | null;
      active: boolean;
    }>(
      `SELECT ss.workspace_id, ss.staff_id, ss.refresh_hash, ss.previous_refresh_hash, ss.expires_at, ss.revoked_at, s.active
       FROM staff_sessions ss JOIN staff s ON s.id = ss.staff_id WHERE ss.id = $1 FOR UPDATE OF ss`,
      [sessionId],
    );
    if (!s) return { error: "unknown refresh token" } as const;
    if (s.revoked_at) return { error: "the session of this refresh token was revoked: sign in again" } as const;
    if (new Date(s.expires_at).getTime() <= args.now.getTime()) return { error: "the session of this refresh token has ended: sign in again" } as const;
    if (!s.active) return { error: "the staff member of this refresh token is inactive" } as const;
    if (!sameHash(hash, s.refresh_hash)) {
      if (!sameHash(hash, s.previous_refresh_hash)) return { error: "invalid refresh token" } as const;
      await tx.execute(`UPDATE staff_sessions SET revoked_at = $2 WHERE id = $1`, [sessionId, args.now]);
      return { error: "refresh token already used: the session is revoked, sign in again", revoked: { workspaceId: s.workspace_id, staffId: s.staff_id, sessionId } } as const;
    }
    const refreshSecret = newRefreshSecret();
    await tx.execute(`UPDATE staff_sessions SET refresh_hash = $2, previous_refresh_hash = refresh_hash, refreshed_at = $3 WHERE id = $1`, [
      sessionId,
      sha256(refreshSecret).toString("hex"),
      args.now,
    ]);
    return { session: s, refreshSecret } as const;
  });
  if ("error" in outcome) {
    if ("revoked" in outcome && outcome.revoked) args.onRevoked?.(outcome.revoked);
    throw new InvalidTokenError(outcome.error);
  }
  const { session, refreshSecret } = outcome;
  const secret = await tokenSecretOf(sql, box, session.workspace_id);
  if (!secret) throw new InvalidTokenError("unknown refresh token");
  return sign(secret, {
    workspaceId: session.workspace_id,
    staffId: session.staff_id,
    now: args.now,
    ttlSeconds: args.ttlSeconds,
    sessionId,
    refreshSecret,
    refreshExpiresAt: new Date(session.expires_at),
  });
}

async function sign(
  secret: string,
  a: { workspaceId: string; staffId: string; now: Date; ttlSeconds: number; sessionId: string; refreshSecret: string; refreshExpiresAt: Date },
): Promise<IssuedStaffToken> {
  // Whole seconds from the issue time (JWT times are seconds); never past the session's end.
  const iat = Math.floor(a.now.getTime() / 1000);
  const until = new Date(Math.min((iat + a.ttlSeconds) * 1000, a.refreshExpiresAt.getTime()));
  const { token, expiresAt } = await signStaffToken(secret, { staffId: a.staffId, workspaceId: a.workspaceId, sessionId: a.sessionId }, a.now, until);
  const expiresIn = Math.max(0, expiresAt.getTime() / 1000 - iat);
  return { sessionId: a.sessionId, staffId: a.staffId, token, expiresAt, expiresIn, refreshToken: `${REFRESH_TOKEN_PREFIX}${a.sessionId}.${a.refreshSecret}`, refreshExpiresAt: a.refreshExpiresAt };
}

/** Revokes one session of the workspace (a staff token: only one of its own). Returns the revocation, or null when there was nothing live to revoke. */
export async function revokeStaffToken(
  sql: SqlRunner,
  args: { workspaceId: string; sessionId: string; onlyStaffId?: string | undefined; now: Date },
): Promise<StaffRevocation | null> {
  const [row] = await sql.query<{ staff_id: string }>(
    `UPDATE staff_sessions SET revoked_at = $3 WHERE id = $1 AND workspace_id = $2 AND revoked_at IS NULL ${args.onlyStaffId ? "AND staff_id = $4" : ""} RETURNING staff_id`,
    [args.sessionId, args.workspaceId, args.now, ...(args.onlyStaffId ? [args.onlyStaffId] : [])],
  );
  return row ? { workspaceId: args.workspaceId, staffId: row.staff_id, sessionId: args.sessionId } : null;
}

/**
 * Revokes every session of a staff member and every token issued to them until now (those from
 * before sessions existed too, through staff.tokens_valid_after). Returns how many sessions ended.
 */
export async function revokeStaffTokens(sql: Sql, args: { workspaceId: string; staffId: string; now: Date }): Promise<number> {
  return sql.transaction(async (tx) => {
    const [staff] = await tx.query(`UPDATE staff SET tokens_valid_after = $3 WHERE id = $1 AND workspace_id = $2 RETURNING id`, [args.staffId, args.workspaceId, args.now]);
    if (!staff) throw new StaffNotFoundError(`staff member ${args.staffId} not found`);
    return tx.execute(`UPDATE staff_sessions SET revoked_at = $2 WHERE staff_id = $1 AND revoked_at IS NULL`, [args.staffId, args.now]);
  });
}
