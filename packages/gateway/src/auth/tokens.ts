import { SignJWT, decodeJwt, errors as joseErrors, jwtVerify } from "jose";
import type { SqlRunner } from "../db/index.js";
import { generateTokenSecret } from "./keys.js";
import type { SecretBox } from "./secret-box.js";

/** Access tokens: 1 hour unless asked otherwise; a client refreshes them (refreshStaffToken). */
export const DEFAULT_TOKEN_TTL_SECONDS = 3_600;
export const MIN_TOKEN_TTL_SECONDS = 60;
/** For an app that cannot refresh; such a token is still revocable at once (its session is checked). */
export const MAX_TOKEN_TTL_SECONDS = 7 * 86_400;
/** Sessions (refresh tokens): 30 days unless asked otherwise, at most 90; refreshing does not extend them. */
export const DEFAULT_SESSION_TTL_SECONDS = 30 * 86_400;
export const MIN_SESSION_TTL_SECONDS = 3_600;
export const MAX_SESSION_TTL_SECONDS = 90 * 86_400;

/** Claims of a staff token: sub = staff id, ws = workspace id, sid = session id (absent on tokens from before sessions). */
export interface StaffTokenClaims {
  sub: string;
  ws: string;
  sid: string | null;
  exp: number;
  iat: number;
}

export class InvalidTokenError extends Error {
  readonly code = "UNAUTHENTICATED";
}

const key = (secret: string) => new TextEncoder().encode(secret);

/** What the workspace's sealed token secret is sealed against: it opens for this workspace only. */
export const tokenSecretContext = (workspaceId: string) => `sopline:staff-token-secret:${workspaceId}`;

/**
 * The workspace's token secret (opened), created and sealed (once, atomically) for a workspace
 * made without one. null when there is no such workspace.
 */
export async function tokenSecretOf(sql: SqlRunner, box: SecretBox, workspaceId: string): Promise<string | null> {
  const [row] = await sql.query<{ sealed: string | null }>(`SELECT token_secret AS sealed FROM workspaces WHERE id = $1`, [workspaceId]);
  if (!row) return null;
  if (row.sealed) return box.open(row.sealed, tokenSecretContext(workspaceId));
  const [updated] = await sql.query<{ sealed: string }>(
    `UPDATE workspaces SET token_secret = COALESCE(token_secret, $2) WHERE id = $1 RETURNING token_secret AS sealed`,
    [workspaceId, box.seal(generateTokenSecret(), tokenSecretContext(workspaceId))],
  );
  return updated ? box.open(updated.sealed, tokenSecretContext(workspaceId)) : null;
}

/** Signs a staff token (HS256) valid from `now` until `expiresAt` (rounded down to the second). */
export async function signStaffToken(
  secret: string,
  claims: { staffId: string; workspaceId: string; sessionId: string },
  now: Date,
  expiresAt: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = Math.floor(expiresAt.getTime() / 1000);
  const token = await new SignJWT({ ws: claims.workspaceId, sid: claims.sessionId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.staffId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key(secret));
  return { token, expiresAt: new Date(exp * 1000) };
}

/** Reads the claims without verifying (to find which secret, staff member and session to load). */
export function peekStaffToken(token: string): { ws: string; sub: string; sid: string | null } {
  try {
    const claims = decodeJwt(token);
    if (typeof claims.ws === "string" && claims.ws) {
      return { ws: claims.ws, sub: typeof claims.sub === "string" ? claims.sub : "", sid: typeof claims.sid === "string" ? claims.sid : null };
    }
  } catch {
    // fall through
  }
  throw new InvalidTokenError("malformed staff token");
}

/** Verifies signature, algorithm and expiry (at `now`, the injected clock). */
export async function verifyStaffToken(token: string, secret: string, now: Date): Promise<StaffTokenClaims> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ["HS256"], currentDate: now, requiredClaims: ["sub", "exp"] });
    if (typeof payload.sub !== "string" || typeof payload.ws !== "string") throw new InvalidTokenError("staff token without sub/ws claims");
    return { sub: payload.sub, ws: payload.ws, sid: typeof payload.sid === "string" ? payload.sid : null, exp: payload.exp!, iat: payload.iat ?? 0 };
  } catch (err) {
    if (err instanceof InvalidTokenError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new InvalidTokenError("staff token expired");
    throw new InvalidTokenError("invalid staff token");
  }
}
