import { SignJWT, decodeJwt, errors as joseErrors, jwtVerify } from "jose";
import type { SqlRunner } from "../db/index.js";
import { generateTokenSecret } from "./keys.js";

export const MIN_TOKEN_TTL_SECONDS = 60;
export const MAX_TOKEN_TTL_SECONDS = 90 * 86_400;

/** Claims of a staff token: sub = staff id, ws = workspace id, exp. */
export interface StaffTokenClaims {
  sub: string;
  ws: string;
  exp: number;
  iat: number;
}

export class InvalidTokenError extends Error {
  readonly code = "UNAUTHENTICATED";
}

const key = (secret: string) => new TextEncoder().encode(secret);

/** The workspace's token secret, created (once, atomically) for workspaces made without one. */
export async function tokenSecretOf(sql: SqlRunner, workspaceId: string): Promise<string | null> {
  const [row] = await sql.query<{ secret: string | null }>(`SELECT settings->>'tokenSecret' AS secret FROM workspaces WHERE id = $1`, [workspaceId]);
  if (!row) return null;
  if (row.secret) return row.secret;
  const [updated] = await sql.query<{ secret: string }>(
    `UPDATE workspaces SET settings = jsonb_set(settings, '{tokenSecret}', to_jsonb(COALESCE(settings->>'tokenSecret', $2::text)))
     WHERE id = $1 RETURNING settings->>'tokenSecret' AS secret`,
    [workspaceId, generateTokenSecret()],
  );
  return updated?.secret ?? null;
}

/** Signs a staff token (HS256) valid from `now` for `ttlSeconds`. */
export async function signStaffToken(secret: string, claims: { staffId: string; workspaceId: string }, now: Date, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ttlSeconds;
  const token = await new SignJWT({ ws: claims.workspaceId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.staffId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key(secret));
  return { token, expiresAt: new Date(exp * 1000) };
}

/** Reads the workspace claim without verifying (to find which secret verifies the token). */
export function peekWorkspace(token: string): string {
  try {
    const claims = decodeJwt(token);
    if (typeof claims.ws === "string" && claims.ws) return claims.ws;
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
    return { sub: payload.sub, ws: payload.ws, exp: payload.exp!, iat: payload.iat ?? 0 };
  } catch (err) {
    if (err instanceof InvalidTokenError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new InvalidTokenError("staff token expired");
    throw new InvalidTokenError("invalid staff token");
  }
}
