import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Seals small secrets (a workspace's staff-token signing secret) with the server's secret key,
 * AES-256-GCM from node:crypto: a database dump alone does not reveal them. `context` (e.g. the
 * workspace id) is authenticated too, so a sealed value copied to another row does not open.
 */
export interface SecretBox {
  seal(plain: string, context: string): string;
  /** Throws SealedSecretError when the value was sealed with another key or context, or altered. */
  open(sealed: string, context: string): string;
}

export class SealedSecretError extends Error {}

/** 32 bytes: AES-256. */
export const SECRET_KEY_BYTES = 32;
const VERSION = "v1";

/**
 * @example
 * const box = createSecretBox(randomBytes(32));
 * box.open(box.seal("s3cret", "ws-1"), "ws-1"); // "s3cret"
 */
export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== SECRET_KEY_BYTES) throw new Error(`secret key: expected ${SECRET_KEY_BYTES} bytes, got ${key.length}`);
  const k = Buffer.from(key);
  return {
    seal(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", k, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return [VERSION, iv, body, cipher.getAuthTag()].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
    },
    open(sealed, context) {
      const [version, iv, body, tag] = sealed.split(".");
      if (version !== VERSION || !iv || body === undefined || !tag) throw new SealedSecretError(`sealed secret: expected "${VERSION}.<iv>.<data>.<tag>"`);
      try {
        const decipher = createDecipheriv("aes-256-gcm", k, Buffer.from(iv, "base64url"));
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
      } catch {
        throw new SealedSecretError("sealed secret does not open with this secret key (another key, or altered)");
      }
    },
  };
}
