import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { SECRET_KEY_BYTES } from "./secret-box.js";

/** The environment variable holding the server's secret key. */
export const SECRET_KEY_ENV = "SOPLINE_SECRET_KEY";

const HOW = `32 random bytes as base64 (e.g. \`openssl rand -base64 32\`) or as 64 hex digits`;

export interface ResolvedSecretKey {
  key: Buffer;
  /** Where it came from: "option", the environment, the key file beside an embedded database, or generated for an in-memory one. */
  source: "option" | "env" | "file" | "ephemeral";
  file?: string;
}

/** Parses a key given as base64 / base64url (32 bytes) or 64 hex digits; `where` names it in errors. */
export function parseSecretKey(text: string, where: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, "hex") : /^[A-Za-z0-9+/_-]+={0,2}$/.test(t) ? Buffer.from(t, t.includes("-") || t.includes("_") ? "base64url" : "base64") : null;
  if (!key || key.length !== SECRET_KEY_BYTES) {
    throw new Error(`${where}: expected ${HOW}; got ${key ? `${key.length} bytes` : "text that is neither"} (${t.length} characters)`);
  }
  return key;
}

/**
 * The key that seals the staff-token secrets stored in the database. Given (option, else
 * SOPLINE_SECRET_KEY), else for an embedded PGlite directory a key file beside it (`<dir>.key`,
 * created on first start, mode 600: zero configuration, and a copy of the directory alone holds
 * no key), else for an in-memory database a throw-away key. PostgreSQL needs it given: every
 * gateway of one database must use the same key, which only the operator can hand them.
 */
export function resolveSecretKey(args: {
  secretKey?: string | undefined;
  env?: Record<string, string | undefined>;
  db: { kind: "pglite" | "postgres"; dataDir?: string | undefined };
}): ResolvedSecretKey {
  if (args.secretKey !== undefined) return { key: parseSecretKey(args.secretKey, "secretKey option"), source: "option" };
  const fromEnv = (args.env ?? process.env)[SECRET_KEY_ENV];
  if (fromEnv) return { key: parseSecretKey(fromEnv, SECRET_KEY_ENV), source: "env" };
  if (args.db.kind === "pglite" && args.db.dataDir === "memory://") return { key: randomBytes(SECRET_KEY_BYTES), source: "ephemeral" };
  if (args.db.kind === "pglite" && args.db.dataDir) {
    const file = `${args.db.dataDir}.key`;
    return { key: readOrCreateKeyFile(file), source: "file", file };
  }
  throw new Error(
    `${SECRET_KEY_ENV} is not set: a gateway on PostgreSQL needs a secret key to seal the staff-token secrets it stores ` +
      `(${HOW}). Set the environment variable ${SECRET_KEY_ENV} (or the option secretKey) to the same key on every gateway of this database.`,
  );
}

function readOrCreateKeyFile(file: string): Buffer {
  try {
    return parseSecretKey(fs.readFileSync(file, "utf8"), `key file ${file}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  // Written whole under a temporary name, then linked into place: link() fails if another
  // process created the file meanwhile, and then that file is the key.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(temp, `${randomBytes(SECRET_KEY_BYTES).toString("base64")}\n`, { mode: 0o600 });
  try {
    fs.linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return parseSecretKey(fs.readFileSync(file, "utf8"), `key file ${file}`);
}
