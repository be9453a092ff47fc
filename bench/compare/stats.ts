// Median per metric over measured runs; correctness counters summed over every run.

import type { Result } from "./types.js";

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Summary {
  id: string;
  result: Result;
  runs: number;
  /** fire steps/s of each measured run, to show the spread. */
  fireRuns: number[];
}

/** Median of each metric; duplicates and misses are summed over all runs, warm-up included. */
export function summarize(id: string, measured: Result[], all: Result[]): Summary {
  const m = (f: (r: Result) => number) => median(measured.map(f));
  const first = measured[0]!;
  return {
    id,
    runs: measured.length,
    fireRuns: measured.map((r) => r.firePerSec),
    result: {
      ...first,
      enqueuePerSec: m((r) => r.enqueuePerSec),
      firePerSec: m((r) => r.firePerSec),
      bytesPerCustomer: m((r) => r.bytesPerCustomer),
      bytesPerPendingStep: m((r) => r.bytesPerPendingStep),
      peakRssMb: m((r) => r.peakRssMb),
      enqueueMs: m((r) => r.enqueueMs),
      fireMs: m((r) => r.fireMs),
      duplicates: all.reduce((a, r) => a + r.duplicates, 0),
      misses: all.reduce((a, r) => a + r.misses, 0),
    },
  };
}
