import { type ContentItem, type JourneyDefinition, type LintIssue, MAX_JOURNEY_VERSION, validateJourney } from "@sopline/core";
import type { Database, Journey as JourneyRow } from "../../db/index.js";
import type { JourneyRegistry } from "../../engine/journey-registry.js";
import { badInput } from "../errors.js";

/** JSON with sorted keys, so definitions compare by content (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

const withoutVersion = (d: unknown) => ({ ...(d as Record<string, unknown>), version: 0 });

/** The workspace's content library as lint wants it. */
export async function contentLibrary(db: Database, workspaceId: string): Promise<ContentItem[]> {
  const rows = await db.prisma.content.findMany({ where: { workspaceId }, select: { ref: true, expiresAt: true } });
  return rows.map((r) => ({ ref: r.ref, expiresAt: r.expiresAt }));
}

/**
 * Validates a definition with the core (BAD_USER_INPUT with every issue's path), and stores it as
 * a new version when it differs from the newest stored one (the stored definition's `version` is
 * the row's). Returns the row, whether a version was added, and lint warnings.
 */
export async function upsertJourney(
  db: Database,
  registry: JourneyRegistry,
  args: { workspaceId: string; definition: unknown; now: Date },
): Promise<{ journey: JourneyRow; created: boolean; warnings: LintIssue[] }> {
  const issues = validateJourney(args.definition);
  if (issues.length > 0) {
    throw badInput(`Invalid journey definition (${issues.length === 1 ? "1 problem" : `${issues.length} problems`}): ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`, issues);
  }
  const definition = args.definition as JourneyDefinition;
  const { id, created } = await db.sql.transaction(async (tx) => {
    // one writer per journey key: concurrent upserts must not pick the same version
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`sopline:journey:${args.workspaceId}:${definition.id}`]);
    const [latest] = await tx.query<{ id: string; version: number; definition: unknown }>(
      `SELECT id, version, definition FROM journeys WHERE workspace_id = $1 AND key = $2 ORDER BY version DESC LIMIT 1`,
      [args.workspaceId, definition.id],
    );
    if (latest && canonicalJson(withoutVersion(latest.definition)) === canonicalJson(withoutVersion(definition))) {
      await tx.execute(`UPDATE journeys SET active = true WHERE id = $1 AND NOT active`, [latest.id]);
      return { id: latest.id, created: false };
    }
    const version = Math.max((latest?.version ?? 0) + 1, definition.version);
    // Versions are 32-bit integers in the database (the core rejects larger ones in a definition).
    if (version > MAX_JOURNEY_VERSION) {
      const issue = { path: "version", message: `journey "${definition.id}" is already at version ${MAX_JOURNEY_VERSION}, the largest there can be: save it under a new id` };
      throw badInput(`Invalid journey definition (1 problem): ${issue.path}: ${issue.message}`, [issue]);
    }
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO journeys (workspace_id, key, version, definition) VALUES ($1, $2, $3, $4::jsonb) RETURNING id`,
      [args.workspaceId, definition.id, version, JSON.stringify({ ...definition, version })],
    );
    return { id: row!.id, created: true };
  });
  const journey = await db.prisma.journey.findUniqueOrThrow({ where: { id } });
  const compiled = registry.remember(args.workspaceId, journey.definition as unknown as JourneyDefinition);
  const warnings = compiled.lint(await contentLibrary(db, args.workspaceId), { at: args.now });
  return { journey, created, warnings };
}
