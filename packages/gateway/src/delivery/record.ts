import type { SqlRunner } from "../db/index.js";

/** The final or interim state of one claimed delivery. */
export interface DeliveryRecord {
  key: string;
  /** the claim's fencing token (ClaimedDelivery.attempts) */
  attempts: number;
  status: "sent" | "pending" | "failed" | "due";
  sentAt?: Date | null;
  providerId?: string | null;
  providerError?: string | null;
  reason?: string | null;
  /** for status 'due': when to try again */
  nextAttemptAt?: Date | null;
}

/**
 * Records outcomes in one statement. A row is updated only while it is still 'sending' with the
 * claim's attempt count, so an outcome is recorded exactly once even when a slow worker whose lease
 * expired reports after another worker took the delivery over. Returns the keys recorded.
 */
export async function recordOutcomes(sql: SqlRunner, records: DeliveryRecord[]): Promise<string[]> {
  if (records.length === 0) return [];
  const rows = await sql.query<{ key: string }>(
    `UPDATE deliveries d SET status = v.status, sent_at = v.sent_at, provider_id = COALESCE(v.provider_id, d.provider_id),
       provider_error = v.provider_error, reason = v.reason, next_attempt_at = v.next_attempt_at
     FROM unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
       AS v(key, attempts, status, sent_at, provider_id, provider_error, reason, next_attempt_at)
     WHERE d.key = v.key AND d.status = 'sending' AND d.attempts = v.attempts
     RETURNING d.key`,
    [
      records.map((r) => r.key),
      records.map((r) => r.attempts),
      records.map((r) => r.status),
      records.map((r) => r.sentAt ?? null),
      records.map((r) => r.providerId ?? null),
      records.map((r) => r.providerError ?? null),
      records.map((r) => r.reason ?? null),
      records.map((r) => r.nextAttemptAt ?? null),
    ],
  );
  return rows.map((r) => r.key);
}
