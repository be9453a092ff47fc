import type { Database } from "../db/index.js";
import type { Clock } from "../clock.js";
import { hashApiKey } from "./keys.js";
import { InvalidTokenError, peekWorkspace, verifyStaffToken } from "./tokens.js";

/**
 * Who is calling. `apiKey`: a server of the workspace (official-account back end, CRM) — sees the
 * whole workspace. `staff`: a staff member's signed token — sees only their own customers and tasks.
 */
export type Auth =
  | { kind: "apiKey"; workspaceId: string; staffId?: undefined }
  | { kind: "staff"; workspaceId: string; staffId: string; /** epoch ms when the token expires */ expiresAt: number };

export interface Authenticator {
  /** Resolves an `Authorization` header value; null when absent; throws InvalidTokenError when wrong. */
  authenticate(authorization: string | null | undefined): Promise<Auth | null>;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Checks `Authorization: Bearer <key|token>`. Workspace API keys are looked up by their sha256;
 * staff tokens are verified with their workspace's secret, and the staff member must still exist
 * and be active (a deactivated member's tokens stop working at once). One SQL statement per call.
 */
export function createAuthenticator(db: Database, clock: Clock): Authenticator {
  return {
    async authenticate(authorization) {
      if (authorization === null || authorization === undefined || authorization === "") return null;
      const match = BEARER.exec(authorization);
      if (!match) throw new InvalidTokenError('expected "Authorization: Bearer <API key or staff token>"');
      const credential = match[1]!;
      if (credential.length > 4096) throw new InvalidTokenError("credential too long");
      if (credential.split(".").length === 3) {
        const workspaceId = peekWorkspace(credential);
        const [row] = await db.sql.query<{ secret: string | null; staff_id: string | null; active: boolean | null }>(
          `SELECT w.settings->>'tokenSecret' AS secret, s.id AS staff_id, s.active
           FROM workspaces w LEFT JOIN staff s ON s.workspace_id = w.id AND s.id = $2
           WHERE w.id = $1`,
          [workspaceId, tokenSubject(credential)],
        );
        if (!row?.secret) throw new InvalidTokenError("invalid staff token");
        const claims = await verifyStaffToken(credential, row.secret, clock());
        if (!row.staff_id || claims.sub !== row.staff_id) throw new InvalidTokenError("the staff member of this token no longer exists");
        if (!row.active) throw new InvalidTokenError("the staff member of this token is inactive");
        return { kind: "staff", workspaceId: claims.ws, staffId: claims.sub, expiresAt: claims.exp * 1000 };
      }
      const [row] = await db.sql.query<{ id: string }>(`SELECT id FROM workspaces WHERE api_key_hash = $1`, [hashApiKey(credential)]);
      if (!row) throw new InvalidTokenError("unknown API key");
      return { kind: "apiKey", workspaceId: row.id };
    },
  };
}

function tokenSubject(token: string): string {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as { sub?: unknown };
    return typeof payload.sub === "string" ? payload.sub : "";
  } catch {
    return "";
  }
}
