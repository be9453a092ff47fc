import type { Database } from "../db/index.js";
import type { Clock } from "../clock.js";
import { hashApiKey } from "./keys.js";
import type { SecretBox } from "./secret-box.js";
import {
  type IssuedStaffToken,
  type StaffRevocation,
  issueStaffToken,
  refreshStaffToken,
  revokeStaffToken,
  revokeStaffTokens,
} from "./sessions.js";
import { InvalidTokenError, peekStaffToken, tokenSecretContext, verifyStaffToken } from "./tokens.js";

/**
 * Who is calling. `apiKey`: a server of the workspace (official-account back end, CRM) — sees the
 * whole workspace. `staff`: a staff member's signed token — sees only their own customers and tasks.
 */
export type Auth =
  | { kind: "apiKey"; workspaceId: string; staffId?: undefined }
  | {
      kind: "staff";
      workspaceId: string;
      staffId: string;
      /** epoch ms when the token expires */
      expiresAt: number;
      /** the token's session (null: a token from before sessions, revocable only with all of the member's) */
      sessionId: string | null;
      /** epoch seconds the token was issued */
      issuedAt: number;
    };

export type StaffAuth = Extract<Auth, { kind: "staff" }>;

export interface Authenticator {
  /** Resolves an `Authorization` header value; null when absent; throws InvalidTokenError when wrong. */
  authenticate(authorization: string | null | undefined): Promise<Auth | null>;
  /** Whether a staff token accepted earlier would still be accepted now (live subscriptions re-check with it). */
  stillValid(auth: StaffAuth): Promise<boolean>;
  /** Starts a staff session (see sessions.ts); throws StaffNotFoundError for an unknown or inactive member. */
  issueStaffToken(args: { workspaceId: string; staffId: string; ttlSeconds: number; sessionTtlSeconds: number }): Promise<IssuedStaffToken>;
  /** Uses up a refresh token for a new pair; throws InvalidTokenError. */
  refreshStaffToken(args: { refreshToken: string; ttlSeconds: number }): Promise<IssuedStaffToken>;
  /** Revokes one session; false when there was nothing live to revoke. */
  revokeStaffToken(args: { workspaceId: string; sessionId: string; onlyStaffId?: string | undefined }): Promise<boolean>;
  /** Revokes every token of a staff member; returns the sessions ended. */
  revokeStaffTokens(args: { workspaceId: string; staffId: string }): Promise<number>;
}

export interface AuthenticatorOptions {
  /** Opens the workspaces' sealed token secrets. */
  secrets: SecretBox;
  /** Told of every revocation (the gateway publishes it so live subscriptions end at once). */
  onRevoked?: ((revocation: StaffRevocation) => void) | undefined;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

interface StaffAuthRow {
  sealed: string | null;
  staff_id: string | null;
  active: boolean | null;
  tokens_valid_after: Date | null;
  session_staff_id: string | null;
  session_expires_at: Date | null;
  session_revoked_at: Date | null;
}

/** Everything a staff token is checked against, in one statement (no extra round trip per request). */
const STAFF_AUTH_SQL = `SELECT w.token_secret AS sealed, s.id AS staff_id, s.active, s.tokens_valid_after,
    ss.staff_id AS session_staff_id, ss.expires_at AS session_expires_at, ss.revoked_at AS session_revoked_at
  FROM workspaces w
  LEFT JOIN staff s ON s.workspace_id = w.id AND s.id = $2
  LEFT JOIN staff_sessions ss ON ss.id = $3 AND ss.workspace_id = w.id
  WHERE w.id = $1`;

/** Why a verified token is no longer accepted, or null when it is. */
function refusal(row: StaffAuthRow, claims: { sub: string; sid: string | null; iat: number }, now: Date): string | null {
  if (!row.staff_id || claims.sub !== row.staff_id) return "the staff member of this token no longer exists";
  if (!row.active) return "the staff member of this token is inactive";
  // tokens with a session are revoked through it; this catches the ones from before sessions
  if (claims.sid === null && row.tokens_valid_after && claims.iat * 1000 < new Date(row.tokens_valid_after).getTime()) return "this staff token was revoked";
  if (claims.sid !== null) {
    if (row.session_staff_id !== claims.sub || row.session_revoked_at) return "this staff token was revoked";
    if (new Date(row.session_expires_at!).getTime() <= now.getTime()) return "the session of this staff token has ended";
  }
  return null;
}

/**
 * Checks `Authorization: Bearer <key|token>`. Workspace API keys are looked up by their sha256;
 * staff tokens are verified with their workspace's (sealed) secret, and the staff member must
 * still be active and the token's session live (revocation and deactivation take effect at once).
 * One SQL statement per call.
 */
export function createAuthenticator(db: Database, clock: Clock, options: AuthenticatorOptions): Authenticator {
  const { secrets, onRevoked } = options;
  // Opened secrets by sealed value (a new secret is a new sealed value): no AES per request.
  const opened = new Map<string, string>();
  const open = (workspaceId: string, sealed: string) => {
    const cacheKey = `${workspaceId}|${sealed}`;
    let secret = opened.get(cacheKey);
    if (secret === undefined) {
      secret = secrets.open(sealed, tokenSecretContext(workspaceId));
      if (opened.size >= 10_000) opened.clear();
      opened.set(cacheKey, secret);
    }
    return secret;
  };
  const loadStaff = async (workspaceId: string, staffId: string, sessionId: string | null) =>
    (await db.sql.query<StaffAuthRow>(STAFF_AUTH_SQL, [workspaceId, staffId, sessionId]))[0];

  return {
    async authenticate(authorization) {
      if (authorization === null || authorization === undefined || authorization === "") return null;
      const match = BEARER.exec(authorization);
      if (!match) throw new InvalidTokenError('expected "Authorization: Bearer <API key or staff token>"');
      const credential = match[1]!;
      if (credential.length > 4096) throw new InvalidTokenError("credential too long");
      if (credential.split(".").length === 3) {
        const peeked = peekStaffToken(credential);
        const row = await loadStaff(peeked.ws, peeked.sub, peeked.sid);
        if (!row?.sealed) throw new InvalidTokenError("invalid staff token");
        const now = clock();
        const claims = await verifyStaffToken(credential, open(peeked.ws, row.sealed), now);
        const refused = refusal(row, claims, now);
        if (refused) throw new InvalidTokenError(refused);
        return { kind: "staff", workspaceId: claims.ws, staffId: claims.sub, expiresAt: claims.exp * 1000, sessionId: claims.sid, issuedAt: claims.iat };
      }
      const [row] = await db.sql.query<{ id: string }>(`SELECT id FROM workspaces WHERE api_key_hash = $1`, [hashApiKey(credential)]);
      if (!row) throw new InvalidTokenError("unknown API key");
      return { kind: "apiKey", workspaceId: row.id };
    },
    async stillValid(auth) {
      const now = clock();
      if (now.getTime() >= auth.expiresAt) return false;
      const row = await loadStaff(auth.workspaceId, auth.staffId, auth.sessionId);
      return row !== undefined && refusal(row, { sub: auth.staffId, sid: auth.sessionId, iat: auth.issuedAt }, now) === null;
    },
    issueStaffToken: (args) => issueStaffToken(db.sql, secrets, { ...args, now: clock() }),
    refreshStaffToken: (args) => refreshStaffToken(db.sql, secrets, { ...args, now: clock(), onRevoked }),
    async revokeStaffToken(args) {
      const revoked = await revokeStaffToken(db.sql, { ...args, now: clock() });
      if (revoked) onRevoked?.(revoked);
      return revoked !== null;
    },
    async revokeStaffTokens(args) {
      const n = await revokeStaffTokens(db.sql, { ...args, now: clock() });
      onRevoked?.({ ...args, sessionId: null });
      return n;
    },
  };
}
