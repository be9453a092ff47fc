// `sopline keys rotate --workspace <id|name>`: a new API key for a workspace. Only the key's hash
// is stored, and the authenticator looks it up on every request (no cache), so the old key
// stops working at once — on every gateway sharing the database.
import { generateApiKey, hashApiKey } from "../auth/index.js";
import { CliError, type Command, parseCommandArgs } from "./command.js";
import { DATABASE_FLAGS, openCliDatabase } from "./database-target.js";

export const keysCommand: Command = async (args, io) => {
  const { values, positionals } = parseCommandArgs("keys", args, { options: { ...DATABASE_FLAGS, workspace: { type: "string" } } });
  if (positionals[0] !== "rotate" || positionals.length > 1) {
    throw new CliError(`sopline keys: expected "keys rotate --workspace <id|name>", got "keys ${positionals.join(" ")}"`, 2);
  }
  const wanted = values.workspace;
  if (!wanted) throw new CliError("sopline keys rotate: --workspace <id|name> is required", 2);
  const db = await openCliDatabase(values, io, false);
  try {
    const key = generateApiKey();
    const workspace = await db.sql.transaction(async (tx) => {
      const rows = await tx.query<{ id: string; name: string }>(`SELECT id, name FROM workspaces WHERE id = $1 OR name = $1 ORDER BY created_at, id FOR UPDATE`, [wanted]);
      const byId = rows.find((r) => r.id === wanted);
      if (!byId && rows.length > 1) throw new CliError(`--workspace: ${rows.length} workspaces are named "${wanted}"; pass the id of one (${rows.map((r) => r.id).join(", ")})`);
      const row = byId ?? rows[0];
      if (!row) {
        const known = await tx.query<{ id: string; name: string }>(`SELECT id, name FROM workspaces ORDER BY created_at, id LIMIT 10`);
        throw new CliError(`--workspace: no workspace has the id or name "${wanted}" (workspaces: ${known.map((w) => `"${w.name}" ${w.id}`).join(", ") || "none"})`);
      }
      await tx.execute(`UPDATE workspaces SET api_key_hash = $2 WHERE id = $1`, [row.id, hashApiKey(key)]);
      return row;
    });
    io.out(`New API key of workspace "${workspace.name}" (${workspace.id}); the old key no longer works. Shown once, only its hash is stored:\n  ${key}`);
    return 0;
  } finally {
    await db.close();
  }
};
