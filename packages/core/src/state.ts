/**
 * The state of one customer in one journey: plain JSON (numbers are epoch ms), small enough to
 * store one per enrollment. Steps are computed from the definition, never stored ahead.
 */
export interface JourneyState {
  /** Journey id and the definition version this state follows. */
  journey: string;
  version: number;
  customer: string;
  /** The customer's own time zone, when it differs from the journey's. */
  tz?: string;
  /** "MM-DD", for birthday steps. */
  birthday?: string;
  /** The staff member the customer is assigned to (task steps go to them). */
  assignee?: string;
  /** Only the customer attributes the journey reads (per-audience send windows). */
  attrs?: Record<string, string>;
  stage: string;
  /** Ordinal of the current stage entry in this enrollment (0 until the entry is processed). */
  visit: number;
  enteredAt: number;
  /** Everything scheduled up to this instant has been processed. */
  clock: number;
  /** The customer's last event (or enrollment), for silence transitions. */
  active: number;
  /** When advance() must next be called; null when nothing is left to happen. */
  wake: number | null;
  /** Single steps of this visit already due or skipped. */
  done?: string[];
  /** Recurring / calendar steps: the scheduled time of the last occurrence handled. */
  last?: Record<string, number>;
  /** Event names seen during this visit (for `unless`). */
  seen?: string[];
  /** An open wait-for-event: the waiting step, alternatives sent, and when the current wait times out. */
  gate?: { step: string; alt: number; until: number | null };
  /** Start of each SOP segment after a wait ended. */
  anchors?: number[];
  /** Recent capped touches, for the frequency cap. */
  sent?: number[];
  tags?: string[];
  /** Recent times of events that counted tag rules read. */
  counts?: Record<string, number[]>;
}

/** A mutable working copy of a state, so advance() never mutates its input. */
export type Draft = Omit<JourneyState, "done" | "last" | "seen" | "anchors" | "sent" | "tags" | "counts"> & {
  done: string[];
  last: Record<string, number>;
  seen: string[];
  anchors: number[];
  sent: number[];
  tags: string[];
  counts: Record<string, number[]>;
};

export function draftOf(s: JourneyState): Draft {
  const counts: Record<string, number[]> = {};
  if (s.counts) for (const [k, v] of Object.entries(s.counts)) counts[k] = v.slice();
  return {
    ...s,
    done: s.done ? s.done.slice() : [],
    last: s.last ? { ...s.last } : {},
    seen: s.seen ? s.seen.slice() : [],
    anchors: s.anchors ? s.anchors.slice() : [],
    sent: s.sent ? s.sent.slice() : [],
    tags: s.tags ? s.tags.slice() : [],
    counts,
    ...(s.gate ? { gate: { ...s.gate } } : {}),
  };
}

/** Drops empty collections and unset fields so stored states stay small and JSON round-trips exactly. */
export function finish(d: Draft): JourneyState {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    if (v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out as unknown as JourneyState;
}
