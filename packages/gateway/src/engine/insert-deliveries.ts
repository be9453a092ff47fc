import { stepKeyPrefix } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import { insertSkippingStored } from "../db/insert-skipping-stored.js";
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
// bulk insert costs (on the embedded database above all), so each value travels once per batch:
// workspace and journey as scalars; enrollment, customer and the key prefix all its keys share once
// per enrollment; stage, step, channel, content, status and reason once per distinct combination
// (a batch's steps come from a few step definitions). A row is its enrollment's and its
// combination's positions, its key's tail and its due time.
const INSERT = `INSERT INTO deliveries (workspace_id, journey_key, enrollment_id, customer_id, key, stage, step_id, due_at, channel, content, mode, status, reason)
  SELECT $1, $2, e.id, e.customer, e.prefix || s.key_tail, v.stage, v.step, s.due, v.channel, v.content, CASE WHEN v.status = 'task' THEN 'task' ELSE 'auto' END, v.status, v.reason
  FROM unnest($3::int[], $4::int[], $5::text[], $6::timestamptz[]) AS s(n, variant, key_tail, due)
  JOIN unnest($7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS e(id, customer, prefix, n) ON e.n = s.n
  JOIN unnest($10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[]) WITH ORDINALITY AS v(stage, step, channel, content, status, reason, n) ON v.n = s.variant`;

// The writer holds the enrollment's row lock and its state says which steps are done, so a stored
// key is not expected here (see insertSkippingStored for why that matters); if one is there anyway,
// the batch is inserted again skipping stored keys.
const INSERT_SKIPPING_STORED = `${INSERT} ON CONFLICT (key) DO NOTHING`;

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
  for (const list of groups.values()) await insertOnce(tx, groupParams(list));
}

/** The statement's parameters for the steps of one workspace and journey. */
function groupParams(list: DeliveryInsert[]): unknown[] {
  // Enrollments in order of appearance, each with the key prefix all its keys share ("" when one
  // does not: then its keys travel whole).
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
  const variants = new Map<string, number>();
  const v = { stage: [] as string[], step: [] as string[], channel: [] as string[], content: [] as (string | null)[], status: [] as string[], reason: [] as (string | null)[] };
  const n: number[] = [];
  const variant: number[] = [];
  const keyTail: string[] = [];
  const due: string[] = [];
  for (const d of list) {
    const at = position.get(d.row)!;
    const combination = `${d.stage}\u0000${d.stepId}\u0000${d.channel}\u0000${d.content ?? "\u0001"}\u0000${d.status}\u0000${d.reason ?? "\u0001"}`;
    let which = variants.get(combination);
    if (which === undefined) {
      v.stage.push(d.stage);
      v.step.push(d.stepId);
      v.channel.push(d.channel);
      v.content.push(d.content);
      v.status.push(d.status);
      v.reason.push(d.reason);
      which = v.stage.length;
      variants.set(combination, which);
    }
    n.push(at);
    variant.push(which);
    keyTail.push(d.key.slice(prefixes[at - 1]!.length));
    due.push(d.dueAt);
  }
  const first = list[0]!.row;
  return [
    first.workspace_id,
    first.journey_key,
    textArray(n),
    textArray(variant),
    textArray(keyTail),
    textArray(due),
    textArray(enrollments.map((e) => e.id)),
    textArray(enrollments.map((e) => e.customer_id)),
    textArray(prefixes),
    textArray(v.stage),
    textArray(v.step),
    textArray(v.channel),
    textArray(v.content),
    textArray(v.status),
    textArray(v.reason),
  ];
}

async function insertOnce(tx: SqlRunner, params: unknown[]): Promise<void> {
  await insertSkippingStored(tx, INSERT, INSERT_SKIPPING_STORED, params);
}
