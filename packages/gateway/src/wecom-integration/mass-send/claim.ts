/**
 * Step 1 of a 群发助手 send, in one short transaction: take the mass_send steps (`delivery:
 * "mass_send"`) of WeCom customers whose send slot has come (slots.ts), defer those over the
 * per-customer budget to its next period, group the rest per staff member, content and slot (one
 * task per distinct content per slot, never merged across contents), and record each group as a
 * mass_sends row in status 'creating' (leased) before WeCom is called. Only explicit mass_send
 * steps are taken: a chat task stays a chat task.
 */
import type { SqlRunner } from "../../db/index.js";
import { DEFAULT_SLOTS, DEFAULT_SLOT_ZONE, type MassSendBudget, type MassSendSettings, checkBudget, dayKey, slotAt } from "./slots.js";
import { stepWindowOf, stepWindowSlots } from "./step-slots.js";

/** One group about to become one add_msg_template call. */
export interface MassSendGroup {
  id: string;
  workspaceId: string;
  staffId: string;
  sender: string;
  journeyKey: string;
  stage: string;
  stepId: string;
  content: string;
  contentBody: unknown;
  /** the send slot the group belongs to */
  slotAt: Date;
  targets: Array<{ key: string; customerId: string; externalUserId: string; attempts: number }>;
}

interface Row {
  key: string;
  workspace_id: string;
  customer_id: string;
  journey_key: string;
  step_id: string;
  content: string | null;
  due_at: Date;
  next_attempt_at: Date | null;
  attempts: number;
  external_user_id: string | null;
  staff_id: string;
  sender: string;
  staff_timezone: string | null;
  customer_timezone: string | null;
  stage: string;
  journey_version: number | null;
}

// The owner is the enrollment's staff member (else the customer's); rows another worker holds are
// skipped, never waited for.
const CLAIM = `
SELECT d.key, d.workspace_id, d.customer_id, d.journey_key, d.step_id, d.content, d.due_at, d.next_attempt_at, d.attempts,
       c.wecom_external_user_id AS external_user_id, s.id AS staff_id, s.external_id AS sender, s.timezone AS staff_timezone,
       c.timezone AS customer_timezone, d.stage, e.journey_version
FROM deliveries d
JOIN customers c ON c.id = d.customer_id
LEFT JOIN enrollments e ON e.id = d.enrollment_id
JOIN staff s ON s.id = COALESCE(e.staff_id, c.staff_id)
WHERE d.channel = 'private_chat' AND d.status = 'task' AND d.mode = 'mass_send'
  AND COALESCE(d.next_attempt_at, d.due_at) <= $1
  AND ($3::text[] IS NULL OR d.workspace_id = ANY($3::text[]))
ORDER BY COALESCE(d.next_attempt_at, d.due_at), d.key
LIMIT $2
FOR UPDATE OF d SKIP LOCKED`;

export interface ClaimOptions {
  now: Date;
  limit: number;
  maxPerTask: number;
  leaseMs: number;
  /** A slot is gathered this long after its time, so steps due at the slot are recorded by then (default 60 s). */
  slotGraceMs?: number;
  /** Defaults when a workspace's settings.massSend leaves them out. */
  defaults?: { slots?: readonly string[]; budget?: MassSendBudget; timezone?: string };
  /** Only these workspaces (default: all). */
  workspaceIds?: string[] | undefined;
  /** Rows of workspaces this returns false for are left untouched (no WeCom client for them). */
  accept?: (workspaceId: string) => boolean;
}

export interface ClaimResult {
  groups: MassSendGroup[];
  /** deferred by the per-customer budget */
  deferred: number;
  /** waiting for their slot (next_attempt_at set to it) */
  waiting: number;
  claimed: number;
}

/** Claims and groups; returns the groups, how many were deferred by the budget and how many wait for their slot. */
export async function claimMassSends(tx: SqlRunner, o: ClaimOptions): Promise<ClaimResult> {
  const all = await tx.query<Row>(CLAIM, [o.now, o.limit, o.workspaceIds ?? null]);
  const rows = o.accept ? all.filter((r) => o.accept!(r.workspace_id)) : all;
  if (rows.length === 0) return { groups: [], deferred: 0, waiting: 0, claimed: all.length };
  const now = o.now.getTime();
  const grace = o.slotGraceMs ?? 60_000;
  const settings = await workspaceSettings(tx, [...new Set(rows.map((r) => r.workspace_id))]);
  const setting = (ws: string) => {
    const s = settings.get(ws) ?? {};
    return {
      slots: s.massSend?.slots ?? o.defaults?.slots ?? DEFAULT_SLOTS,
      zone: s.massSend?.timezone ?? s.timezone ?? o.defaults?.timezone ?? DEFAULT_SLOT_ZONE,
      budget: { ...o.defaults?.budget, ...s.massSend?.budget },
    };
  };

  // Not a WeCom customer: no 群发 can reach them (recorded, not left waiting forever).
  const noContact = rows.filter((r) => r.external_user_id === null).map((r) => r.key);
  const later: Array<{ key: string; at: Date; reason: string | null }> = [];
  const ready: Array<Row & { slot: number; external_user_id: string }> = [];
  const windows = await stepWindows(tx, rows);
  for (const r of rows) {
    if (r.external_user_id === null) continue;
    const s = setting(r.workspace_id);
    // The step's own window (in the customer's zone, like the window itself), else the workspace's
    // slots in the staff member's zone when they have one.
    const own = windows.get(windowKey(r));
    const fromWindow = own ? stepWindowSlots(own.window, s.slots) : null;
    const slot = fromWindow
      ? slotAt(new Date(r.next_attempt_at ?? r.due_at).getTime(), fromWindow, r.customer_timezone ?? own!.zone ?? s.zone)
      : slotAt(new Date(r.next_attempt_at ?? r.due_at).getTime(), s.slots, r.staff_timezone ?? s.zone);
    if (slot + grace > now) {
      if (slot > new Date(r.next_attempt_at ?? r.due_at).getTime()) later.push({ key: r.key, at: new Date(slot), reason: null });
    } else ready.push({ ...r, external_user_id: r.external_user_id, slot });
  }

  // A slot whose task for this content was already created (a step recorded late): the next slot.
  const done = await tx.query<{ workspace_id: string; staff_id: string; content: string; slot_at: Date }>(
    `SELECT DISTINCT workspace_id, staff_id, content, slot_at FROM mass_sends
     WHERE staff_id = ANY($1::text[]) AND slot_at = ANY($2::timestamptz[]) AND status <> 'failed'`,
    [[...new Set(ready.map((r) => r.staff_id))], [...new Set(ready.map((r) => new Date(r.slot).toISOString()))]],
  );
  const taken = new Set(done.map((d) => [d.workspace_id, d.staff_id, d.content, new Date(d.slot_at).getTime()].join("\u0000")));

  const used = await sentByCustomerDay(tx, ready, now);
  const deferred: typeof later = [];
  const byGroup = new Map<string, Array<(typeof ready)[number]>>();
  for (const r of ready) {
    const k = [r.workspace_id, r.staff_id, r.content ?? "", r.slot].join("\u0000");
    if (taken.has(k)) {
      later.push({ key: r.key, at: new Date(r.slot + 1), reason: "群发助手: this slot's task for this content was already created; next slot" });
      continue;
    }
    const mine = used.get(r.customer_id) ?? new Map<string, number>();
    const check = checkBudget(mine, r.slot, setting(r.workspace_id).budget);
    if (!check.ok) {
      deferred.push({ key: r.key, at: new Date(check.retryAt!), reason: `mass-send budget: ${check.message}` });
      continue;
    }
    const day = dayKey(r.slot);
    mine.set(day, (mine.get(day) ?? 0) + 1);
    used.set(r.customer_id, mine);
    byGroup.set(k, [...(byGroup.get(k) ?? []), r]);
  }
  const moved = [...later, ...deferred];
  if (moved.length > 0) {
    // Kept as a 'task' delivery: it comes back at its slot / when the budget allows (never lost).
    await tx.execute(
      `UPDATE deliveries d SET next_attempt_at = v.at, reason = COALESCE(v.reason, d.reason) FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS v(key, at, reason) WHERE d.key = v.key`,
      [moved.map((x) => x.key), moved.map((x) => x.at), moved.map((x) => x.reason)],
    );
  }
  if (noContact.length > 0) {
    await tx.execute(
      `UPDATE deliveries SET status = 'failed', provider_error = 'not_a_wecom_contact', reason = '群发助手 reaches WeCom external contacts only: the customer has no wecom_external_user_id' WHERE key = ANY($1::text[])`,
      [noContact],
    );
  }

  const firsts = [...byGroup.values()].map((g) => g[0]!);
  const bodies = await loadBodies(tx, firsts);
  const groups: MassSendGroup[] = [];
  for (const members of byGroup.values()) {
    for (let from = 0; from < members.length; from += o.maxPerTask) {
      const chunk = members.slice(from, from + o.maxPerTask);
      const first = chunk[0]!;
      // journey_key / step_id: the first member's (one content may serve several steps)
      const [ms] = await tx.query<{ id: string }>(
        `INSERT INTO mass_sends (workspace_id, staff_id, sender, journey_key, step_id, content, customers, lease_until, created_at, slot_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [first.workspace_id, first.staff_id, first.sender, first.journey_key, first.step_id, first.content ?? "", chunk.length, new Date(now + o.leaseMs), o.now, new Date(first.slot)],
      );
      await tx.execute(
        `INSERT INTO mass_send_targets (mass_send_id, delivery_key, customer_id, external_user_id, period)
         SELECT $1, k, c, x, $5 FROM unnest($2::text[], $3::text[], $4::text[]) AS v(k, c, x)`,
        [ms!.id, chunk.map((r) => r.key), chunk.map((r) => r.customer_id), chunk.map((r) => r.external_user_id), dayKey(first.slot)],
      );
      groups.push({
        id: ms!.id,
        workspaceId: first.workspace_id,
        staffId: first.staff_id,
        sender: first.sender,
        journeyKey: first.journey_key,
        stage: first.stage,
        stepId: first.step_id,
        content: first.content ?? "",
        contentBody: bodies.get(`${first.workspace_id}\u0000${first.content}`),
        slotAt: new Date(first.slot),
        targets: chunk.map((r) => ({ key: r.key, customerId: r.customer_id, externalUserId: r.external_user_id, attempts: r.attempts + 1 })),
      });
    }
  }
  const keys = groups.flatMap((g) => g.targets.map((t) => t.key));
  if (keys.length > 0) {
    await tx.execute(`UPDATE deliveries SET status = 'pending', attempts = attempts + 1, next_attempt_at = NULL WHERE key = ANY($1::text[])`, [keys]);
  }
  return { groups, deferred: deferred.length, waiting: later.length, claimed: all.length };
}

type Settings = { timezone?: string; massSend?: MassSendSettings };

const windowKey = (r: Pick<Row, "workspace_id" | "journey_key" | "journey_version" | "stage" | "step_id">) => [r.workspace_id, r.journey_key, r.journey_version, r.stage, r.step_id].join("\u0000");

/** Each claimed step's own `window` from its enrollment's journey version: one query for the batch's versions. */
async function stepWindows(tx: SqlRunner, rows: Row[]): Promise<Map<string, { window: unknown; zone: string | undefined }>> {
  const versions = new Map<string, Row>();
  for (const r of rows) if (r.journey_version !== null) versions.set([r.workspace_id, r.journey_key, r.journey_version].join("\u0000"), r);
  const out = new Map<string, { window: unknown; zone: string | undefined }>();
  if (versions.size === 0) return out;
  const list = [...versions.values()];
  const defs = await tx.query<{ workspace_id: string; key: string; version: number; definition: unknown }>(
    `SELECT workspace_id, key, version, definition FROM journeys WHERE (workspace_id, key, version) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::int[]))`,
    [list.map((r) => r.workspace_id), list.map((r) => r.journey_key), list.map((r) => r.journey_version)],
  );
  const byVersion = new Map(defs.map((d) => [[d.workspace_id, d.key, d.version].join("\u0000"), d.definition]));
  for (const r of rows) {
    const definition = byVersion.get([r.workspace_id, r.journey_key, r.journey_version].join("\u0000"));
    const window = stepWindowOf(definition, r.stage, r.step_id);
    const zone = (definition as { timezone?: unknown } | undefined)?.timezone;
    if (window !== undefined) out.set(windowKey(r), { window, zone: typeof zone === "string" ? zone : undefined });
  }
  return out;
}

async function workspaceSettings(tx: SqlRunner, ids: string[]): Promise<Map<string, Settings>> {
  const rows = await tx.query<{ id: string; settings: Settings | null }>(`SELECT id, settings FROM workspaces WHERE id = ANY($1::text[])`, [ids]);
  return new Map(rows.map((r) => [r.id, r.settings ?? {}]));
}

/** 群发 each customer received (pending or sent) per day key, over the last ~5 weeks (budget periods). */
async function sentByCustomerDay(tx: SqlRunner, rows: Array<{ customer_id: string }>, now: number): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  if (rows.length === 0) return out;
  const counts = await tx.query<{ customer_id: string; period: string; n: number }>(
    `SELECT customer_id, period, count(*)::int AS n FROM mass_send_targets
     WHERE customer_id = ANY($1::text[]) AND period >= $2 AND outcome IN ('pending', 'sent') GROUP BY customer_id, period`,
    [[...new Set(rows.map((r) => r.customer_id))], dayKey(now - 40 * 86_400_000)],
  );
  for (const c of counts) {
    const m = out.get(c.customer_id) ?? new Map<string, number>();
    m.set(c.period, c.n);
    out.set(c.customer_id, m);
  }
  return out;
}

async function loadBodies(tx: SqlRunner, firsts: Row[]): Promise<Map<string, unknown>> {
  if (firsts.length === 0) return new Map();
  const rows = await tx.query<{ workspace_id: string; ref: string; body: unknown }>(
    `SELECT workspace_id, ref, body FROM contents WHERE (workspace_id, ref) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [firsts.map((f) => f.workspace_id), firsts.map((f) => f.content ?? "")],
  );
  return new Map(rows.map((r) => [`${r.workspace_id}\u0000${r.ref}`, r.body]));
}
