import { AUTOMATIC_CHAT_REASON, type ContentItem, type JourneyDefinition, type JourneyOptions, type LintIssue, MAX_JOURNEY_VERSION, automaticChats, defineJourney, validateJourney } from "@sopline/core";
import type { Database, Journey as JourneyRow, SqlRunner } from "../../db/index.js";
import type { JourneyRegistry } from "../../engine/journey-registry.js";
import { checkMigration, migrateInFlight, previewMigration } from "../../engine/migrate-in-flight.js";
import type { Notices } from "../../engine/persist-advances.js";
import type { PublishImpact } from "../../engine/publish-impact.js";
import { marketingCapOf } from "../../engine/marketing-cap.js";
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

/** The core's options for this workspace's journeys: its holiday calendar, read fresh. */
async function workspaceCalendar(db: Database, registry: JourneyRegistry, workspaceId: string): Promise<JourneyOptions> {
  await registry.refreshCalendars(db.sql, [workspaceId]);
  return registry.calendarOf(workspaceId).options;
}

const withoutVersion = (d: unknown) => ({ ...(d as Record<string, unknown>), version: 0 });

/** The workspace's content library as lint wants it. */
export async function contentLibrary(db: Database, workspaceId: string): Promise<ContentItem[]> {
  const rows = await db.prisma.content.findMany({ where: { workspaceId }, select: { ref: true, expiresAt: true } });
  return rows.map((r) => ({ ref: r.ref, expiresAt: r.expiresAt }));
}

/** The definition, or BAD_USER_INPUT with every problem and its path (extensions.issues). Holiday names are checked against the workspace's calendar. */
function validDefinition(definition: unknown, options: JourneyOptions): JourneyDefinition {
  const issues = validateJourney(definition, options);
  if (issues.length > 0) {
    throw badInput(`Invalid journey definition (${issues.length === 1 ? "1 problem" : `${issues.length} problems`}): ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`, issues);
  }
  return definition as JourneyDefinition;
}

/** What a gateway can deliver, for checkDeliveryPaths. */
export interface DeliveryCapabilities {
  /** The gateway delivers to WeCom customers (a WeCom corp is configured). */
  wecom?: boolean | undefined;
  /** Channels the gateway has a push adapter for (a private_chat one sends automatic 1:1 chats). */
  pushedChannels?: readonly string[] | undefined;
}

/**
 * Automatic 1:1 private chats (other than the welcome) have no official WeCom path: a gateway that
 * delivers to WeCom customers refuses them unless it has a private_chat adapter to send them.
 * Nothing is converted into another path. (Without WeCom, private_chat deliveries are the pull
 * model's: contentDue.)
 */
export function checkDeliveryPaths(definition: JourneyDefinition, can: DeliveryCapabilities = {}): void {
  if (!can.wecom || (can.pushedChannels ?? []).includes("private_chat")) return;
  const issues = automaticChats(definition).map((c) => ({
    path: c.path,
    message: `step "${c.stepId}" of stage "${c.stage}" is an automatic 1:1 private chat and this gateway has no private_chat adapter: ${AUTOMATIC_CHAT_REASON}`,
  }));
  if (issues.length > 0) {
    throw badInput(`Journey "${definition.id}" cannot be published (${issues.length === 1 ? "1 problem" : `${issues.length} problems`}): ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
  }
}

/**
 * Validates a definition with the core (BAD_USER_INPUT with every issue's path), checks every
 * step's delivery path is legal (checkDeliveryPaths), and stores it as
 * a new version when it differs from the newest stored one (the stored definition's `version` is
 * the row's). Returns the row, whether a version was added, and lint warnings.
 */
export async function upsertJourney(
  db: Database,
  registry: JourneyRegistry,
  args: {
    workspaceId: string;
    definition: unknown;
    now: Date;
    migrate?: boolean | undefined;
    onMigrated?: ((notices: Notices) => void) | undefined;
    /** What the gateway delivers (checkDeliveryPaths); default: no WeCom, nothing refused. */
    delivery?: DeliveryCapabilities | undefined;
  },
): Promise<{ journey: JourneyRow; created: boolean; warnings: LintIssue[]; migration: PublishImpact | null }> {
  const options = await workspaceCalendar(db, registry, args.workspaceId);
  validDefinition(args.definition, options);
  const definition = args.definition as JourneyDefinition;
  checkDeliveryPaths(definition, args.delivery);
  if (args.migrate) {
    // refuse (a stage customers sit in was removed …) before a version is stored
    const target = await versionFor(db.sql, args.workspaceId, definition);
    await checkMigration(db.sql, { workspaceId: args.workspaceId, journeyKey: definition.id, to: defineJourney({ ...definition, version: target.version }, options) });
  }
  const { id, created } = await db.sql.transaction(async (tx) => {
    // one writer per journey key: concurrent upserts must not pick the same version
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`sopline:journey:${args.workspaceId}:${definition.id}`]);
    const target = await versionFor(tx, args.workspaceId, definition);
    if (target.sameAs) {
      await tx.execute(`UPDATE journeys SET active = true WHERE id = $1 AND NOT active`, [target.sameAs]);
      return { id: target.sameAs, created: false };
    }
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO journeys (workspace_id, key, version, definition) VALUES ($1, $2, $3, $4::jsonb) RETURNING id`,
      [args.workspaceId, definition.id, target.version, JSON.stringify({ ...definition, version: target.version })],
    );
    return { id: row!.id, created: true };
  });
  const journey = await db.prisma.journey.findUniqueOrThrow({ where: { id } });
  const compiled = registry.remember(args.workspaceId, journey.definition as unknown as JourneyDefinition);
  const warnings = compiled.lint(await contentLibrary(db, args.workspaceId), { at: args.now, ...(await marketingCapOf(db.sql, args.workspaceId)) });
  // also when unchanged: a migration that stopped half way continues
  const migration = args.migrate ? await migrateInFlight(db, registry, { workspaceId: args.workspaceId, journeyKey: compiled.id, to: compiled, at: args.now }, args.onMigrated) : null;
  return { journey, created, warnings, migration };
}

/**
 * The version publishing `definition` would store: the newest stored one when the definition
 * equals it (`sameAs` is its row id), else the next (or the definition's own, when higher).
 */
async function versionFor(sql: SqlRunner, workspaceId: string, definition: JourneyDefinition): Promise<{ version: number; sameAs?: string }> {
  const [latest] = await sql.query<{ id: string; version: number; definition: unknown }>(
    `SELECT id, version, definition FROM journeys WHERE workspace_id = $1 AND key = $2 ORDER BY version DESC LIMIT 1`,
    [workspaceId, definition.id],
  );
  if (latest && canonicalJson(withoutVersion(latest.definition)) === canonicalJson(withoutVersion(definition))) return { version: latest.version, sameAs: latest.id };
  const version = Math.max((latest?.version ?? 0) + 1, definition.version);
  // Versions are 32-bit integers in the database (the core rejects larger ones in a definition).
  if (version > MAX_JOURNEY_VERSION) {
    const issue = { path: "version", message: `journey "${definition.id}" is already at version ${MAX_JOURNEY_VERSION}, the largest there can be: save it under a new id` };
    throw badInput(`Invalid journey definition (1 problem): ${issue.path}: ${issue.message}`, [issue]);
  }
  return { version };
}

/**
 * What publishing a definition would do to the customers already in its journey (nothing is
 * stored): the version it would get and the core's migrate() run over every in-flight enrollment.
 */
export async function journeyPublishImpact(
  db: Database,
  registry: JourneyRegistry,
  args: { workspaceId: string; definition: unknown; now?: Date; delivery?: DeliveryCapabilities | undefined },
): Promise<PublishImpact & { journey: string; version: number; changed: boolean }> {
  const options = await workspaceCalendar(db, registry, args.workspaceId);
  const definition = validDefinition(args.definition, options);
  checkDeliveryPaths(definition, args.delivery); // the dry run refuses what publishing would
  const target = await versionFor(db.sql, args.workspaceId, definition);
  // compiled apart from the registry: an unpublished definition must not be cached under a version number
  const to = defineJourney({ ...definition, version: target.version }, options);
  const impact = await previewMigration(db, registry, { workspaceId: args.workspaceId, journeyKey: definition.id, to, ...(args.now ? { at: args.now } : {}) });
  return { journey: definition.id, version: target.version, changed: !target.sameAs, ...impact };
}
