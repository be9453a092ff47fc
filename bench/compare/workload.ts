// The operators' SOP stage: 8 steps at +0h, then 09:00 Asia/Shanghai on days 1, 2, 3, 7, 14, 30, 60
// after entry. Customers enter staggered over ENTRY_SPREAD_DAYS.

export const STEPS_PER_CUSTOMER = 8;
const DAY_OFFSETS = [1, 2, 3, 7, 14, 30, 60];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Asia/Shanghai has been UTC+8 without DST since 1991, so a fixed offset is exact.
const SHANGHAI_OFFSET = 8 * HOUR;
const ENTRY_SPREAD_DAYS = 30;
// A fixed Monday 00:00 in Shanghai keeps every run's timeline identical.
const BASE = Date.UTC(2025, 0, 6) - SHANGHAI_OFFSET;
const REAL_SPAN = (ENTRY_SPREAD_DAYS + 61) * DAY;

export function stepKey(customer: number, step: number): string {
  return `c${customer}:s${step}`;
}

/** Real entry time of customer i: spread evenly, with a deterministic minute jitter. */
export function entryTime(i: number, n: number): number {
  const spread = (ENTRY_SPREAD_DAYS * DAY * i) / n;
  return BASE + Math.floor(spread) + ((i * 7919) % 60) * 60_000;
}

/** Real due times (epoch ms) of the 8 steps for an entry time. */
export function realDueTimes(entryMs: number): number[] {
  const localMidnight = Math.floor((entryMs + SHANGHAI_OFFSET) / DAY) * DAY - SHANGHAI_OFFSET;
  return [entryMs, ...DAY_OFFSETS.map((d) => localMidnight + d * DAY + 9 * HOUR)];
}

export interface StepBatch {
  keys: string[];
  /** Compressed due times (epoch ms on this machine's clock). */
  due: number[];
}

/**
 * Steps in enqueue order (customer by customer, as entries arrive), with the whole
 * real timeline mapped linearly onto [t0, t0 + windowMs]: order is preserved,
 * and after t0 + windowMs every step is due.
 */
export function* stepBatches(n: number, batchSize: number, t0: number, windowMs: number): Generator<StepBatch> {
  let batch: StepBatch = { keys: [], due: [] };
  for (let i = 0; i < n; i++) {
    const due = realDueTimes(entryTime(i, n));
    for (let s = 0; s < STEPS_PER_CUSTOMER; s++) {
      batch.keys.push(stepKey(i, s));
      batch.due.push(t0 + Math.floor(((due[s]! - BASE) * windowMs) / REAL_SPAN));
      if (batch.keys.length >= batchSize) {
        yield batch;
        batch = { keys: [], due: [] };
      }
    }
  }
  if (batch.keys.length > 0) yield batch;
}

export const SCALING_NOTE =
  `the real timeline (entries spread over ${ENTRY_SPREAD_DAYS} days + 61 days of steps) is compressed linearly ` +
  `into windowMs starting when enqueue starts; workers start only after enqueue ends and the window has passed, ` +
  `so the fire phase drains a backlog of n×8 due steps (throughput, not latency)`;
