import type { DatabaseKind, Result } from "../types.js";

/** What a runner measured; the rates, per-customer figures and misses are derived the same way for every system. */
export interface Measured {
  system: string;
  database: DatabaseKind;
  n: number;
  expected: number;
  delivered: number;
  duplicates: number;
  /** Storage held while every step is pending. */
  bytes: number;
  enqueueMs: number;
  fireMs: number;
  settings: Result["settings"];
}

export function resultOf(m: Measured): Result {
  return {
    system: m.system,
    database: m.database,
    enqueuePerSec: m.expected / (m.enqueueMs / 1000),
    firePerSec: m.delivered / (m.fireMs / 1000),
    bytesPerCustomer: m.bytes / m.n,
    bytesPerPendingStep: m.bytes / m.expected,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    duplicates: m.duplicates,
    misses: m.expected - m.delivered,
    expected: m.expected,
    enqueueMs: m.enqueueMs,
    fireMs: m.fireMs,
    settings: m.settings,
  };
}
