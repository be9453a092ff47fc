// Tasks are numbered when their transaction commits (migration 20261205170000), so a notice built
// from an INSERT … RETURNING carries no seq yet. Publishing happens after commit: this wrapper
// looks the numbers up then — one query for every notice published in the same tick — and
// publishes in the order the feed needs (tasks by seq, then the rest in publishing order).
import type { SqlRunner } from "../db/sql.js";
import type { LivePubSub, LiveTopics } from "./pubsub.js";

type Payload = LiveTopics[string][0];
type Pending = { topic: string; payload: Payload };

const needsSeq = (p: Payload): p is Payload & { id: string; seq: string | null } => "change" in p && "seq" in p && p.seq == null;

/**
 * @example
 * const pubsub = numberTasksOnPublish(createPubSub(), db.sql, log);
 * pubsub.publish(taskTopic(ws, staff), { ...task, seq: null }); // reaches subscribers with its committed seq
 */
export function numberTasksOnPublish(pubsub: LivePubSub, sql: SqlRunner, log?: (message: string) => void): LivePubSub {
  let queue: Pending[] = [];
  let chain: Promise<void> = Promise.resolve();

  async function flush(batch: Pending[]): Promise<void> {
    const ids = [...new Set(batch.filter((p) => needsSeq(p.payload)).map((p) => (p.payload as { id: string }).id))];
    const seqs = new Map<string, string>();
    if (ids.length > 0) {
      const rows = await sql.query<{ id: string; seq: string | null }>(`SELECT id, seq::text AS seq FROM tasks WHERE id = ANY($1::text[])`, [ids]);
      for (const r of rows) if (r.seq != null) seqs.set(r.id, r.seq);
    }
    const tasks: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of batch) {
      if (!needsSeq(p.payload)) (("change" in p.payload && "seq" in p.payload) ? tasks : rest).push(p);
      else {
        const seq = seqs.get(p.payload.id);
        // Gone (its customer was deleted since) or not committed: there is nothing to notify.
        if (seq !== undefined) tasks.push({ topic: p.topic, payload: { ...p.payload, seq } as Payload });
      }
    }
    tasks.sort((a, b) => (BigInt((a.payload as { seq: string }).seq) < BigInt((b.payload as { seq: string }).seq) ? -1 : 1));
    for (const p of [...tasks, ...rest]) pubsub.publish(p.topic as never, p.payload as never);
  }

  return {
    ...pubsub,
    subscribe: pubsub.subscribe.bind(pubsub),
    publish(topic: string, payload: Payload) {
      if (queue.length === 0) {
        // Next tick: everything published by the same caller (a batch's notices) goes in one query.
        queueMicrotask(() => {
          const batch = queue;
          queue = [];
          // Notices stay in order across flushes; a failed lookup only costs live notices (clients catch up by cursor).
          chain = chain.then(() => flush(batch)).catch((err: unknown) => log?.(`live task notices not published: ${(err as Error).message}`));
        });
      }
      queue.push({ topic, payload });
    },
  } as LivePubSub;
}
