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
// (workspace and journey as scalars, enrollment and customer once per enrollment, joined back by
// position), mode is derived from status, and an all-NULL reason column is sent as one NULL.
const INSERT = `INSERT INTO deliveries (workspace_id, journey_key, enrollment_id, customer_id, key, stage, step_id, due_at, channel, content, mode, status, reason)
  SELECT $1, $2, e.id, e.customer, s.key, s.stage, s.step, s.due, s.channel, s.content, CASE WHEN s.status = 'task' THEN 'task' ELSE 'auto' END, s.status, s.reason
  FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[]) AS s(n, key, stage, step, due, channel, content, status, reason)
  JOIN unnest($12::text[], $13::text[]) WITH ORDINALITY AS e(id, customer, n) ON e.n = s.n
  ON CONFLICT (key) DO NOTHING`;

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
    const enrollments: EnrollmentRow[] = [];
    const position = new Map<EnrollmentRow, number>();
    const n: number[] = [];
    const key: string[] = [];
    const stage: string[] = [];
    const step: string[] = [];
    const due: string[] = [];
    const channel: string[] = [];
    const content: (string | null)[] = [];
    const status: string[] = [];
    const reason: (string | null)[] = [];
    let anyReason = false;
    for (const d of list) {
      let at = position.get(d.row);
      if (at === undefined) {
        enrollments.push(d.row);
        at = enrollments.length; // WITH ORDINALITY counts from 1
        position.set(d.row, at);
      }
      n.push(at);
      key.push(d.key);
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
    await tx.execute(INSERT, [
      first.workspace_id,
      first.journey_key,
      textArray(n),
      textArray(key),
      textArray(stage),
      textArray(step),
      textArray(due),
      textArray(channel),
      textArray(content),
      textArray(status),
      anyReason ? textArray(reason) : null,
      textArray(enrollments.map((e) => e.id)),
      textArray(enrollments.map((e) => e.customer_id)),
    ]);
  }
}
