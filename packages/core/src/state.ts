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
  // Field by field rather than spreads: this runs on every advance() and shapes stay monomorphic.
  let counts: Record<string, number[]> = {};
  if (s.counts) {
    counts = {};
    for (const k in s.counts) counts[k] = s.counts[k]!.slice();
  }
  return {
    journey: s.journey,
    version: s.version,
    customer: s.customer,
    tz: s.tz,
    birthday: s.birthday,
    assignee: s.assignee,
    attrs: s.attrs,
    stage: s.stage,
    visit: s.visit,
    enteredAt: s.enteredAt,
    clock: s.clock,
    active: s.active,
    wake: s.wake,
    done: s.done ? s.done.slice() : [],
    last: s.last ? { ...s.last } : {},
    seen: s.seen ? s.seen.slice() : [],
    gate: s.gate ? { step: s.gate.step, alt: s.gate.alt, until: s.gate.until } : undefined,
    anchors: s.anchors ? s.anchors.slice() : [],
    sent: s.sent ? s.sent.slice() : [],
    tags: s.tags ? s.tags.slice() : [],
    counts,
  };
}

/** Drops empty collections and unset fields so stored states stay small and JSON round-trips exactly. */
export function finish(d: Draft): JourneyState {
  const out: JourneyState = { journey: d.journey, version: d.version, customer: d.customer } as JourneyState;
  if (d.tz !== undefined) out.tz = d.tz;
  if (d.birthday !== undefined) out.birthday = d.birthday;
  if (d.assignee !== undefined) out.assignee = d.assignee;
  if (d.attrs !== undefined) out.attrs = d.attrs;
  out.stage = d.stage;
  out.visit = d.visit;
  out.enteredAt = d.enteredAt;
  out.clock = d.clock;
  out.active = d.active;
  out.wake = d.wake;
  if (d.done.length > 0) out.done = d.done;
  if (hasKeys(d.last)) out.last = d.last;
  if (d.seen.length > 0) out.seen = d.seen;
  if (d.gate !== undefined) out.gate = d.gate;
  if (d.anchors.length > 0) out.anchors = d.anchors;
  if (d.sent.length > 0) out.sent = d.sent;
  if (d.tags.length > 0) out.tags = d.tags;
  if (hasKeys(d.counts)) out.counts = d.counts;
  return out;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
