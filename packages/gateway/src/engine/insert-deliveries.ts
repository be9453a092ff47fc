import { stepKeyPrefix } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import { textArray } from "../db/text-array.js";
import type { EnrollmentRow } from "./enrollment-row.js";

/** One due or skipped step to record. */
export interface DeliveryInsert {
  row: EnrollmentRow;
  key: string;
  stage: string;
  stepId: string;
  dueAt: string;
  channel: string;
  content: string | null;
  /** 'due' (auto) | 'task' | 'skipped' — the mode follows from it. */
  status: "due" | "task" | "skipped";
  reason: string | null;
}

// Every array element is serialised by the driver and parsed by the server, which is most of what a
// bulk insert costs (on the embedded database above all): values shared by a batch's rows travel once
// (workspace and journey as scalars; enrollment, customer and the key prefix all its keys share once
// per enrollment, joined back by position), mode is derived from status, and an all-NULL reason
// column is sent as one NULL.
const INSERT = `INSERT INTO deliveries (workspace_id, journey_key, enrollment_id, customer_id, key, stage, step_id, due_at, channel, content, mode, status, reason)
  SELECT $1, $2, e.id, e.customer, e.prefix || s.key_tail, s.stage, s.step, s.due, s.channel, s.content, CASE WHEN s.status = 'task' THEN 'task' ELSE 'auto' END, s.status, s.reason
  FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[]) AS s(n, key_tail, stage, step, due, channel, content, status, reason)
  JOIN unnest($12::text[], $13::text[], $14::text[]) WITH ORDINALITY AS e(id, customer, prefix, n) ON e.n = s.n`;

// ON CONFLICT makes PostgreSQL insert every row speculatively (probe, insert, confirm): a fifth of
// the insert's cost on the embedded database. The writer holds the enrollment's row lock and its
// state says which steps are done, so a stored key is not expected here; if one is there anyway,
// the batch is undone to the savepoint and inserted again skipping stored keys.
const INSERT_SKIPPING_STORED = `${INSERT} ON CONFLICT (key) DO NOTHING`;
const UNIQUE_VIOLATION = "23505";

/**
 * Records steps in the caller's transaction, one statement per (workspace, journey) of the batch
 * (usually one). A key already stored is left alone: a step is recorded once.
 */
export async function insertDeliveries(tx: SqlRunner, deliveries: DeliveryInsert[]): Promise<void> {
  const groups = new Map<string, DeliveryInsert[]>();
  for (const d of deliveries) {
    const group = `${d.row.workspace_id}\u0000${d.row.journey_key}`;
    const list = groups.get(group);
    if (list) list.push(d);
    else groups.set(group, [d]);
  }
  for (const list of groups.values()) {
    // Enrollments of the group in order of appearance, each with the key prefix all its keys share
    // ("" when one does not: then its keys travel whole).
    const enrollments: EnrollmentRow[] = [];
    const prefixes: string[] = [];
    const position = new Map<EnrollmentRow, number>();
    for (const d of list) {
      let at = position.get(d.row);
      if (at === undefined) {
        enrollments.push(d.row);
        prefixes.push(d.row.state ? stepKeyPrefix(d.row.state.journey, d.row.state.customer) : "");
        at = enrollments.length; // WITH ORDINALITY counts from 1
        position.set(d.row, at);
      }
      if (!d.key.startsWith(prefixes[at - 1]!)) prefixes[at - 1] = "";
    }
    const n: number[] = [];
    const keyTail: string[] = [];
    const stage: string[] = [];
    const step: string[] = [];
    const due: string[] = [];
    const channel: string[] = [];
    const content: (string | null)[] = [];
    const status: string[] = [];
    const reason: (string | null)[] = [];
    let anyReason = false;
    for (const d of list) {
      const at = position.get(d.row)!;
      n.push(at);
      keyTail.push(d.key.slice(prefixes[at - 1]!.length));
      stage.push(d.stage);
      step.push(d.stepId);
      due.push(d.dueAt);
      channel.push(d.channel);
      content.push(d.content);
      status.push(d.status);
      reason.push(d.reason);
      if (d.reason !== null) anyReason = true;
    }
    const first = list[0]!.row;
    await insertOnce(tx, [
      first.workspace_id,
      first.journey_key,
      textArray(n),
      textArray(keyTail),
      textArray(stage),
      textArray(step),
      textArray(due),
      textArray(channel),
      textArray(content),
      textArray(status),
      anyReason ? textArray(reason) : null,
      textArray(enrollments.map((e) => e.id)),
      textArray(enrollments.map((e) => e.customer_id)),
      textArray(prefixes),
    ]);
  }
}

async function insertOnce(tx: SqlRunner, params: unknown[]): Promise<void> {
  await tx.execute("SAVEPOINT insert_deliveries");
  try {
    await tx.execute(INSERT, params);
  } catch (err) {
    if ((err as { code?: unknown }).code !== UNIQUE_VIOLATION) throw err;
    await tx.execute("ROLLBACK TO SAVEPOINT insert_deliveries");
    await tx.execute(INSERT_SKIPPING_STORED, params);
  }
  await tx.execute("RELEASE SAVEPOINT insert_deliveries");
}
