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
  /** Event names seen during this visit, and markers of `unless: { event, where }` conditions met (for `unless`). */
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
  /**
   * Last time of each event name a `silentFor … of` transition watches, seen during this visit
   * (earlier ones cannot matter: silence never counts from before the stage entry).
   */
  heard?: Record<string, number>;
}

/**
 * A working copy of a state, so advance() never mutates its input. Its collections are shared with
 * the input and never changed in place: an update replaces the collection (see {@link append}), so
 * a tick copies only what it changes and the next state shares the rest.
 */
export type Draft = Omit<JourneyState, "done" | "last" | "seen" | "gate" | "anchors" | "sent" | "tags" | "counts" | "heard"> & {
  done: readonly string[];
  last: Readonly<Record<string, number>>;
  seen: readonly string[];
  gate?: Readonly<NonNullable<JourneyState["gate"]>>;
  anchors: readonly number[];
  sent: readonly number[];
  tags: readonly string[];
  counts: Readonly<Record<string, readonly number[]>>;
  heard: Readonly<Record<string, number>>;
};

/** The empty list every draft starts from (shared, frozen). */
export const NONE: readonly never[] = Object.freeze([]);
export const NO_KEYS: Readonly<Record<string, never>> = Object.freeze({});

export function draftOf(s: JourneyState): Draft {
  // Field by field rather than spreads: this runs on every advance() and shapes stay monomorphic.
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
    done: s.done ?? NONE,
    last: s.last ?? NO_KEYS,
    seen: s.seen ?? NONE,
    gate: s.gate,
    anchors: s.anchors ?? NONE,
    sent: s.sent ?? NONE,
    tags: s.tags ?? NONE,
    counts: s.counts ?? NO_KEYS,
    heard: s.heard ?? NO_KEYS,
  };
}

/** A new list with `item` at the end, allocated at its exact size (push and spread leave ~16 spare slots per stored state). */
export function append<T>(list: readonly T[], item: T): T[] {
  const n = list.length;
  const out = new Array<T>(n + 1);
  for (let i = 0; i < n; i++) out[i] = list[i]!;
  out[n] = item;
  return out;
}

/** Drops empty collections and unset fields so stored states stay small and JSON round-trips exactly. */
export function finish(d: Draft): JourneyState {
  let out: JourneyState;
  if (d.tz === undefined && d.birthday === undefined && d.assignee === undefined && d.attrs === undefined) {
    // The usual shape as one literal: V8 keeps a literal's fields inside the object, while fields
    // added one by one go to a separate property store (an extra allocation per state).
    out =
      d.done.length > 0
        ? { journey: d.journey, version: d.version, customer: d.customer, stage: d.stage, visit: d.visit, enteredAt: d.enteredAt, clock: d.clock, active: d.active, wake: d.wake, done: d.done as string[] }
        : { journey: d.journey, version: d.version, customer: d.customer, stage: d.stage, visit: d.visit, enteredAt: d.enteredAt, clock: d.clock, active: d.active, wake: d.wake };
  } else {
    out = { journey: d.journey, version: d.version, customer: d.customer } as JourneyState;
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
    if (d.done.length > 0) out.done = d.done as string[];
  }
  if (hasKeys(d.last)) out.last = d.last as Record<string, number>;
  if (d.seen.length > 0) out.seen = d.seen as string[];
  if (d.gate !== undefined) out.gate = d.gate;
  if (d.anchors.length > 0) out.anchors = d.anchors as number[];
  if (d.sent.length > 0) out.sent = d.sent as number[];
  if (d.tags.length > 0) out.tags = d.tags as string[];
  if (hasKeys(d.counts)) out.counts = d.counts as Record<string, number[]>;
  if (hasKeys(d.heard)) out.heard = d.heard as Record<string, number>;
  return out;
}

function hasKeys(o: object): boolean {
  if (o === NO_KEYS) return false; // the usual case, without setting up a for-in
  for (const _ in o) return true;
  return false;
}
