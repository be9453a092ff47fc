import type { Database } from "../db/index.js";
import { badInput } from "../graphql/errors.js";
import { type Actor, writeAudit } from "../live-sops/audit.js";
import { UnknownJourneyError, enrollCustomers } from "./enroll.js";
import type { JourneyRegistry } from "./journey-registry.js";
import type { Notices } from "./persist-advances.js";
import { type SegmentMatch, matches, segmentMatchIssue } from "./segments.js";

/** Customers enrolled per transaction: a large segment is not one long lock. */
const BATCH = 500;

export interface SegmentEnrollment {
  /** Customers whose attributes fit the match. */
  matched: number;
  /** Newly enrolled (0 on a dry run). */
  enrolled: number;
  /** Already running this journey with their staff member: left as they are. */
  alreadyEnrolled: number;
}

/**
 * Enrolls every customer of the workspace whose attributes fit `match` (the segment rules'
 * conditions) in the newest version of a journey at `at` — the way a dated campaign (a webinar
 * night, 618, 双11) reaches its audience. Each customer keeps their staff member; one already in
 * the journey is left as they are, so running it again only adds newcomers. A bad match or an
 * unknown journey is refused before anything is written.
 */
export async function enrollSegment(
  db: Database,
  registry: JourneyRegistry,
  args: { workspaceId: string; journeyKey: string; match: unknown; at: Date; dryRun?: boolean; actor?: Actor },
  notices: Notices,
): Promise<SegmentEnrollment> {
  const issue = segmentMatchIssue(args.match);
  if (issue) throw badInput(`match${issue.path}: ${issue.message}`, [{ path: `match${issue.path}`, message: issue.message }]);
  if (!(await registry.latest(db.sql, args.workspaceId, args.journeyKey))) throw badInput(`journeyKey: ${new UnknownJourneyError(args.journeyKey).message}`);
  const customers = await db.sql.query<{ id: string; timezone: string | null; birthday: string | null; attributes: Record<string, unknown>; staff_id: string | null }>(
    `SELECT id, timezone, birthday, attributes, staff_id FROM customers WHERE workspace_id = $1 ORDER BY id`,
    [args.workspaceId],
  );
  const audience = customers.filter((c) => matches(args.match as SegmentMatch, c.attributes ?? {}));
  const out: SegmentEnrollment = { matched: audience.length, enrolled: 0, alreadyEnrolled: 0 };
  if (args.dryRun) return out;
  for (let i = 0; i < audience.length; i += BATCH) {
    const batch = audience.slice(i, i + BATCH);
    const results = await db.sql.transaction((tx) =>
      enrollCustomers(
        tx,
        registry,
        batch.map((c) => ({ workspaceId: args.workspaceId, customer: { id: c.id, timezone: c.timezone, birthday: c.birthday, attributes: c.attributes }, journeyKey: args.journeyKey, staffId: c.staff_id })),
        args.at,
        notices,
      ),
    );
    for (const r of results) {
      if (r.created) out.enrolled++;
      else out.alreadyEnrolled++;
    }
  }
  if (args.actor) {
    await writeAudit(db.sql, { workspaceId: args.workspaceId, actor: args.actor, action: "segment.enroll", target: `journey:${args.journeyKey}`, after: { match: args.match, ...out }, at: args.at });
  }
  return out;
}
