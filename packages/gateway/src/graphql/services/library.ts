import type { Content, Database, Staff } from "../../db/index.js";
import { badInput } from "../errors.js";
import { canonicalJson } from "./journeys.js";

export interface ContentInputShape {
  ref: string;
  title: string;
  body: unknown;
  type: string;
  topic?: string | null;
  awareness?: string | null;
  cta?: string | null;
  channel?: string | null;
  version?: number | null;
  expiresAt?: Date | null;
}

/**
 * Creates or updates a content entry by ref. Without an explicit version, a change of title, body
 * or type bumps the version, so stale copies can be told apart.
 */
export async function upsertContent(db: Database, workspaceId: string, input: ContentInputShape): Promise<Content> {
  const existing = await db.prisma.content.findUnique({ where: { workspaceId_ref: { workspaceId, ref: input.ref } } });
  const fields = {
    title: input.title,
    body: input.body as object,
    type: input.type,
    topic: input.topic ?? null,
    awareness: input.awareness ?? null,
    cta: input.cta ?? null,
    channel: input.channel ?? null,
    expiresAt: input.expiresAt ?? null,
  };
  if (!existing) return db.prisma.content.create({ data: { workspaceId, ref: input.ref, ...fields, version: input.version ?? 1 } });
  const changed = existing.title !== fields.title || existing.type !== fields.type || canonicalJson(existing.body) !== canonicalJson(fields.body);
  const version = input.version ?? (changed ? existing.version + 1 : existing.version);
  return db.prisma.content.update({ where: { id: existing.id }, data: { ...fields, version } });
}

export interface StaffInputShape {
  externalId: string;
  name: string;
  team?: string | null;
  active?: boolean | null;
  /** IANA zone for the staff member's 群发 slots; null clears it, undefined keeps it */
  timezone?: string | null;
  /** the team lead's external id; null clears it, omitted keeps it */
  leadExternalId?: string | null;
}

/** Creates or updates a staff member by external id (e.g. the WeCom userid). */
export async function upsertStaff(db: Database, workspaceId: string, input: StaffInputShape): Promise<Staff> {
  let lead: { leadId: string | null } | Record<string, never> = {};
  if (input.leadExternalId === null) lead = { leadId: null };
  else if (input.leadExternalId !== undefined) {
    if (input.leadExternalId === input.externalId) throw badInput(`input.leadExternalId: "${input.leadExternalId}" is the staff member themself`);
    const row = await db.prisma.staff.findUnique({ where: { workspaceId_externalId: { workspaceId, externalId: input.leadExternalId } }, select: { id: true } });
    if (!row) throw badInput(`input.leadExternalId: no staff member "${input.leadExternalId}" in this workspace (create the lead first)`);
    lead = { leadId: row.id };
  }
  return db.prisma.staff.upsert({
    where: { workspaceId_externalId: { workspaceId, externalId: input.externalId } },
    create: { workspaceId, externalId: input.externalId, name: input.name, team: input.team ?? null, active: input.active ?? true, timezone: input.timezone || null, ...lead },
    update: {
      name: input.name,
      ...(input.team !== undefined ? { team: input.team } : {}),
      ...(input.active != null ? { active: input.active } : {}),
      ...(input.timezone !== undefined ? { timezone: input.timezone || null } : {}),
      ...lead,
    },
  });
}
