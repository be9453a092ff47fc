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
  /** 'due' (auto) | 'task' | 'skipped' | 'held' (a paused journey or step) — the mode follows from it unless given. */
  status: "due" | "task" | "skipped" | "held";
  reason: string | null;
  /**
   * The step's mode, when the status does not say it (a held task stays a task); 'mass_send': a
   * 群发助手 step (status 'task', no per-customer task: the mass-send worker gathers it).
   */
  mode?: "auto" | "task" | "mass_send";
}

// Every array element is serialised by the driver and parsed by the server, which is most of what a
// bulk insert costs (on the embedded database above all), so each value travels once per batch:
// workspace and journey as scalars; enrollment, customer and the key prefix all its keys share once
// per enrollment; a step's key tail, stage, step, channel, content, mode, status and reason once per
// distinct combination ("variant": a batch's steps come from a few step definitions); due times once
// per distinct time. A row is then two integers: its variant and its due time.
//
// Rows are generated per enrollment (its rows are consecutive) and read their two integers by
// subscript (integer and timestamp arrays are fixed-width: a subscript is O(1)), then meet their
// variant in a hash join. Joining the rows to their enrollments by position instead made the planner
// sort every row for a merge join, a sixth of the statement on the embedded database.
const INSERT = `INSERT INTO deliveries (workspace_id, journey_key, enrollment_id, customer_id, key, stage, step_id, due_at, channel, content, mode, status, reason)
  SELECT $1, $2, e.id, e.customer, e.prefix || v.tail, v.stage, v.step, ($10::timestamptz[])[x.d], v.channel, v.content, v.mode, v.status, v.reason
  FROM unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::int[]) AS e(id, customer, prefix, first, last)
  CROSS JOIN LATERAL generate_series(e.first, e.last) AS r(i)
  CROSS JOIN LATERAL (SELECT ($8::int[])[r.i] AS v, ($9::int[])[r.i] AS d) AS x
  JOIN unnest($11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[]) WITH ORDINALITY
    AS v(tail, stage, step, channel, content, mode, status, reason, n) ON v.n = x.v`;

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
  for (const list of groups.values()) await insertSkippingStored(tx, INSERT, INSERT_SKIPPING_STORED, groupParams(list));
}

/** One distinct combination of a step's key tail and columns. */
interface Variant {
  tail: string;
  stage: string;
  stepId: string;
  channel: string;
  content: string | null;
  status: DeliveryInsert["status"];
  mode: string;
  reason: string | null;
  /** 1-based, as WITH ORDINALITY counts */
  index: number;
}

/** The statement's parameters for the steps of one workspace and journey. */
function groupParams(list: DeliveryInsert[]): unknown[] {
  // Each enrollment's steps in a row, enrollments in order of first appearance (the scheduler
  // passes them so already), with the key prefix all its keys share ("" when one does not: then
  // its keys travel whole as tails).
  const byRow = new Map<EnrollmentRow, DeliveryInsert[]>();
  for (const d of list) {
    const steps = byRow.get(d.row);
    if (steps) steps.push(d);
    else byRow.set(d.row, [d]);
  }
  const e = { id: [] as string[], customer: [] as string[], prefix: [] as string[], first: [] as number[], last: [] as number[] };
  const rowVariant: number[] = [];
  const rowDue: number[] = [];
  const dues = new Map<string, number>();
  // by key tail, then the (usually one) variants with that tail
  const variants = new Map<string, Variant[]>();
  const ordered: Variant[] = [];
  for (const [row, steps] of byRow) {
    let prefix = row.state ? stepKeyPrefix(row.state.journey, row.state.customer) : "";
    for (const d of steps) if (!d.key.startsWith(prefix)) prefix = "";
    e.id.push(row.id);
    e.customer.push(row.customer_id);
    e.prefix.push(prefix);
    e.first.push(rowVariant.length + 1);
    for (const d of steps) {
      rowVariant.push(variantOf(d, d.key.slice(prefix.length), variants, ordered));
      let due = dues.get(d.dueAt);
      if (due === undefined) dues.set(d.dueAt, (due = dues.size + 1));
      rowDue.push(due);
    }
    e.last.push(rowVariant.length);
  }
  const first = list[0]!.row;
  return [
    first.workspace_id,
    first.journey_key,
    textArray(e.id),
    textArray(e.customer),
    textArray(e.prefix),
    textArray(e.first),
    textArray(e.last),
    textArray(rowVariant),
    textArray(rowDue),
    textArray([...dues.keys()]),
    textArray(ordered.map((v) => v.tail)),
    textArray(ordered.map((v) => v.stage)),
    textArray(ordered.map((v) => v.stepId)),
    textArray(ordered.map((v) => v.channel)),
    textArray(ordered.map((v) => v.content)),
    textArray(ordered.map((v) => v.mode)),
    textArray(ordered.map((v) => v.status)),
    textArray(ordered.map((v) => v.reason)),
  ];
}

function variantOf(d: DeliveryInsert, tail: string, variants: Map<string, Variant[]>, ordered: Variant[]): number {
  const mode = d.mode ?? (d.status === "task" ? "task" : "auto");
  let candidates = variants.get(tail);
  if (!candidates) variants.set(tail, (candidates = []));
  for (const v of candidates) {
    if (v.stage === d.stage && v.stepId === d.stepId && v.channel === d.channel && v.content === d.content && v.status === d.status && v.mode === mode && v.reason === d.reason) return v.index;
  }
  const v: Variant = { tail, stage: d.stage, stepId: d.stepId, channel: d.channel, content: d.content, status: d.status, mode, reason: d.reason, index: ordered.length + 1 };
  candidates.push(v);
  ordered.push(v);
  return v.index;
}
