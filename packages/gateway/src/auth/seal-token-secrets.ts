import type { Database } from "../db/index.js";
import { type SecretBox, SealedSecretError } from "./secret-box.js";
import { tokenSecretContext } from "./tokens.js";

/**
 * At start: seals token secrets still stored in plaintext (workspaces.settings.tokenSecret, from
 * before sealing) into workspaces.token_secret and removes the plaintext — tokens signed with them
 * stay valid. Then checks that the key opens the sealed secrets, so a wrong or lost key is a clear
 * startup error rather than every staff token failing. Idempotent; concurrent gateways agree.
 */
export async function sealTokenSecrets(db: Database, box: SecretBox, keySource: string): Promise<{ sealed: number }> {
  const plain = await db.sql.query<{ id: string; secret: string }>(`SELECT id, settings->>'tokenSecret' AS secret FROM workspaces WHERE settings ? 'tokenSecret'`);
  let sealed = 0;
  for (const row of plain) {
    sealed += await db.sql.execute(
      `UPDATE workspaces SET token_secret = COALESCE(token_secret, $2), settings = settings - 'tokenSecret' WHERE id = $1 AND settings->>'tokenSecret' = $3`,
      [row.id, box.seal(row.secret, tokenSecretContext(row.id)), row.secret],
    );
  }
  const [sample] = await db.sql.query<{ id: string; sealed: string }>(`SELECT id, token_secret AS sealed FROM workspaces WHERE token_secret IS NOT NULL ORDER BY created_at, id LIMIT 1`);
  if (sample) {
    try {
      box.open(sample.sealed, tokenSecretContext(sample.id));
    } catch (err) {
      if (!(err instanceof SealedSecretError)) throw err;
      throw new Error(
        `The secret key (${keySource}) does not open the staff-token secrets stored in this database (workspace ${sample.id}): ` +
          `start with the key they were sealed with (SOPLINE_SECRET_KEY, or the key file beside an embedded database). ` +
          `If that key is lost, clearing workspaces.token_secret gives each workspace a new secret; every staff token issued so far then stops working.`,
      );
    }
  }
  return { sealed };
}
