/**
 * The first part of every idempotency key an enrollment's steps get: `journey:customer:` (the
 * journey id and the state's customer id). Keys of one enrollment therefore sort together, so a
 * store can read an enrollment's records as one key range instead of keeping a second index for
 * them (the gateway does).
 */
export function stepKeyPrefix(journey: string, customer: string): string {
  return `${journey}:${customer}:`;
}
