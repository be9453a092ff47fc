import type { CompiledJourney, CompiledStage, CompiledStep, CompiledTransition } from "./compile.js";
import type { Effect, EntryReason, SkipReason, StepDueEffect, StepSkippedEffect } from "./effects.js";
import { nextOccurrence, singleBase } from "./occurrences.js";
import { type Draft, NONE, NO_KEYS, append } from "./state.js";
import { stepKeyPrefix } from "./step-key.js";
import { iso } from "./time.js";
import { nextOpening } from "./window.js";
import { ZoneClock } from "./zone.js";

/** What happens next to a customer, at its effective time. */
type Happening =
  | { at: number; kind: "enter" }
  | { at: number; kind: "silence"; transition: CompiledTransition }
  | { at: number; kind: "release" }
  | { at: number; kind: "alternative"; step: CompiledStep; base: number; never?: true }
  // One shape for every step candidate (the scan makes two per tick): the occurrence inline, `never` always set.
  | { at: number; kind: "step"; step: CompiledStep; base: number; label: string | undefined; never: boolean };

type StepHappening = Extract<Happening, { kind: "step" }>;

const ORDER = { enter: 0, silence: 1, release: 2, alternative: 3, step: 4 } as const;
// Past this length `done` lists are not shared between states (see DoneLists) but copied once per run
// and grown in place: copying a long list for every step made a long SOP's catch-up quadratic.
const OWN_DONE_FROM = 32;
// Scans of one stage visit before a run places its single steps in an agenda: a scheduler tick
// scans once or twice and never pays for it; a simulation or a backlog scans hundreds of times.
const AGENDA_AFTER_SCANS = 4;

interface Agenda {
  anchor: number;
  /** Every single step of the segment as a happening, in the order they would be applied. */
  items: StepHappening[];
  /** Items before it are done. */
  pos: number;
}

/** How much one {@link Run} may do, and how it judges expiry. */
export interface RunLimits {
  /** Most happenings to apply; catchUp() stops before the next one (it stays due). */
  happenings: number;
  /** Most `step.due` effects to emit. */
  due: number;
  /**
   * Judge expiry as a scheduler ticking at every wake-up would (each happening at its own time), not
   * by the run's `now`: a simulation covers months in one run and must not call its steps expired.
   */
  punctual: boolean;
}

const UNLIMITED: RunLimits = { happenings: Infinity, due: Infinity, punctual: false };
// Bounds a chain of instant transitions; validation already rejects loops, this only guards.
const MAX_MOVES_AT_ONE_INSTANT = 64;

/**
 * One advance() call: a working copy of the state, the effects it produced and the real time of the
 * input (which decides expiry). Happenings are processed strictly in time order, each at its own
 * time, so ticking every minute or once at the end yields the same steps.
 */
export class Run {
  readonly effects: Effect[] = [];
  private moves = 0;
  /**
   * The next happening when it is already known (undefined: scan for it): the one the last
   * catchUp() found beyond its horizon, for settle(), or the runner-up of the last scan once its
   * best was applied without touching what the other candidates depend on (see apply()).
   */
  private known: Happening | null | undefined;
  /** The best and second-best happenings of the scan in progress, then of the last scan. */
  private best: Happening | null = null;
  private second: Happening | null = null;
  private movesAt = Number.NaN;
  /** Bit i set: step i of `doneStage` is done; rebuilt whenever `s.done` is replaced (it is copy-on-write). */
  private doneBits = 0;
  /** The same for stages of more than 31 steps: a flag per step index. */
  private doneFlags: Uint8Array | null = null;
  private doneOf: readonly string[] | null = null;
  /** A `done` list this run made and nobody else holds: grown in place, not copied per step. */
  private ownDone: string[] | null = null;
  private doneStage: CompiledStage | null = null;
  /**
   * Per segment of `prefixStage` (visit `prefixVisit`): how many of its single steps, in the order
   * of `singles`, are known to be done. A scan starts past them, so a long SOP costs a scan only
   * for the steps still ahead.
   */
  private prefix: number[] = [];
  private prefixStage: CompiledStage | null = null;
  private prefixVisit = -1;
  /** Per segment: its single steps placed in order, once the visit has been scanned often (see agendaOf()). */
  private agendas: Array<Agenda | undefined> = [];
  private scans = 0;
  /** Happenings applied and `step.due` effects emitted by this run (for its limits). */
  applied = 0;
  dueCount = 0;
  /** Steps the scans looked at: the measure of a run's work (tests assert it grows linearly). */
  scanned = 0;

  constructor(
    private readonly j: CompiledJourney,
    readonly s: Draft,
    private readonly now: number,
    private readonly limits: RunLimits = UNLIMITED,
  ) {}

  /** The customer's own time zone, falling back to the journey's. */
  private get clock(): ZoneClock {
    return this.s.tz === undefined ? this.j.zone : ZoneClock.of(this.s.tz);
  }

  private get stage(): CompiledStage {
    return this.j.stages.get(this.s.stage)!;
  }

  /**
   * Processes every happening up to and including `until`, or as many as the run's limits allow:
   * returns false when they stopped it early. The state's clock is then that of the last happening
   * applied and its wake-up the next one (at or before `until`), so a later run carries on from there.
   */
  catchUp(until: number): boolean {
    for (;;) {
      const next = this.next();
      if (!next || next.at > until) {
        this.s.clock = Math.max(this.s.clock, until);
        this.known = next;
        return true;
      }
      if (this.applied >= this.limits.happenings || this.dueCount >= this.limits.due) {
        this.known = next;
        return false;
      }
      this.s.clock = Math.max(this.s.clock, next.at);
      this.applied++;
      this.apply(next);
    }
  }

  /** Recomputes when advance() must next be called. */
  settle(): void {
    const next = this.next();
    this.s.wake = next?.at ?? null;
  }

  /** The earliest thing still to happen in the current stage visit. */
  next(): Happening | null {
    const known = this.known;
    this.known = undefined;
    this.forgetScan();
    if (known !== undefined) return known;
    const s = this.s;
    if (s.visit === 0) return { at: s.enteredAt, kind: "enter" };
    const stage = this.stage;
    const clock = this.clock;
    // Index loops here: for-of allocated an iterator result per step on this path.
    for (let i = 0; i < stage.onSilence.length; i++) {
      const t = stage.onSilence[i]!;
      const since = t.of === undefined ? s.active : lastHeard(s.heard, t.of);
      this.offer({ at: clock.add(Math.max(since, s.enteredAt), t.silentFor!), kind: "silence", transition: t });
    }
    if (s.gate && s.gate.until !== null) {
      const step = stepOf(stage, s.gate.step);
      if (step?.wait && s.gate.alt < step.wait.alternatives.length) {
        const alt = step.wait.alternatives[s.gate.alt]!;
        const at = this.effective(step, alt.mode, s.gate.until);
        this.offer({ at: at ?? s.gate.until, kind: "alternative", step, base: s.gate.until, ...(at === null ? { never: true as const } : {}) });
      } else {
        this.offer({ at: s.gate.until, kind: "release" });
      }
    }
    // Recurring and calendar steps: each has one next occurrence to place.
    for (let i = 0; i < stage.multis.length; i++) {
      const step = stage.multis[i]!;
      if (step.segment > s.anchors.length) continue;
      this.scanned++;
      const anchor = step.segment === 0 ? s.enteredAt : s.anchors[step.segment - 1]!;
      const occ = nextOccurrence(step, s, clock, anchor);
      if (!occ) continue;
      const second = this.second;
      if (second && occ.base > second.at) continue;
      const at = this.effective(step, step.mode, occ.base);
      if (second && at !== null && at > second.at) continue;
      this.offer({ at: at ?? occ.base, kind: "step", step, base: occ.base, label: occ.label, never: at === null });
    }
    // Single steps, per segment in the order of their earliest possible time: past the done ones at
    // the front, and only until the earliest possible time passes the runner-up.
    if (this.prefixStage !== stage || this.prefixVisit !== s.visit) {
      this.prefix = stage.singles.map(() => 0);
      this.agendas = [];
      this.scans = 0;
      this.prefixStage = stage;
      this.prefixVisit = s.visit;
    }
    this.scans++;
    const segments = Math.min(stage.singles.length, s.anchors.length + 1);
    for (let g = 0; g < segments; g++) {
      const singles = stage.singles[g]!;
      const anchor = g === 0 ? s.enteredAt : s.anchors[g - 1]!;
      const agenda = this.agendaOf(stage, g, anchor);
      if (agenda) {
        this.offerFromAgenda(stage, agenda);
        continue;
      }
      let from = this.prefix[g]!;
      while (from < singles.length && this.isDone(stage, singles[from]!)) from++;
      this.prefix[g] = from;
      let wall: { day: number; tod: number } | null = null;
      for (let i = from; i < singles.length; i++) {
        const step = singles[i]!;
        this.scanned++;
        // Windows and caps only move a step later: one that cannot be first or second is not worth
        // placing, and neither is any step after it in this order.
        const second = this.second;
        if (second && cannotBeat(anchor + step.earliest, step, second)) break;
        if (this.isDone(stage, step)) continue;
        wall ??= clock.wall(anchor);
        const base = singleBase(step, clock, anchor, wall.day, wall.tod);
        if (second && base > second.at) continue;
        const at = this.effective(step, step.mode, base);
        if (second && at !== null && at > second.at) continue;
        this.offer({ at: at ?? base, kind: "step", step, base, label: undefined, never: at === null });
      }
    }
    return this.best;
  }

  /**
   * The single steps of a segment in the order they come out, once a run has scanned the same stage
   * visit a few times (a simulation, a backlog): their times depend only on the segment's anchor
   * when no frequency cap applies, so they are placed once and each later scan reads the next two.
   */
  private agendaOf(stage: CompiledStage, g: number, anchor: number): Agenda | null {
    const known = this.agendas[g];
    if (known && known.anchor === anchor) return known;
    if (this.scans <= AGENDA_AFTER_SCANS || !stage.uncappedSingles) return null;
    const clock = this.clock;
    const wall = clock.wall(anchor);
    const items = stage.singles[g]!.map((step): StepHappening => {
      const base = singleBase(step, clock, anchor, wall.day, wall.tod);
      const at = this.effective(step, step.mode, base);
      this.scanned++;
      return { at: at ?? base, kind: "step", step, base, label: undefined, never: at === null };
    });
    items.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    const agenda: Agenda = { anchor, items, pos: 0 };
    this.agendas[g] = agenda;
    return agenda;
  }

  /** Offers the first two steps of an agenda that are not done yet. */
  private offerFromAgenda(stage: CompiledStage, agenda: Agenda): void {
    const items = agenda.items;
    while (agenda.pos < items.length && this.isDone(stage, items[agenda.pos]!.step)) agenda.pos++;
    let offered = 0;
    for (let i = agenda.pos; i < items.length && offered < 2; i++) {
      this.scanned++;
      const h = items[i]!;
      if (this.isDone(stage, h.step)) continue;
      this.offer(h);
      offered++;
    }
  }

  private forgetScan(): void {
    this.best = null;
    this.second = null;
  }

  /** Places a candidate among the best two of the scan. */
  private offer(h: Happening): void {
    if (this.best === null || before(h, this.best)) {
      this.second = this.best;
      this.best = h;
    } else if (this.second === null || before(h, this.second)) {
      this.second = h;
    }
  }

  /** Whether a single step is done in this visit: a bit test instead of a search of `s.done` per step per scan. */
  private isDone(stage: CompiledStage, step: CompiledStep): boolean {
    const done = this.s.done;
    if (done !== this.doneOf || stage !== this.doneStage) this.readDone(stage, done);
    return this.doneFlags !== null ? this.doneFlags[step.index] === 1 : (this.doneBits & (1 << step.index)) !== 0;
  }

  /** Reads `done` into a bit per step (shared lists remember theirs), or a flag per step past 31 steps. */
  private readDone(stage: CompiledStage, done: readonly string[]): void {
    if (stage.steps.length > 31) {
      const flags = new Uint8Array(stage.steps.length);
      for (let k = 0; k < done.length; k++) {
        const i = stage.indexOf.get(done[k]!);
        if (i !== undefined) flags[i] = 1;
      }
      this.doneFlags = flags;
    } else {
      this.doneFlags = null;
      this.doneBits = this.j.doneLists.bits(done, stage);
    }
    this.doneOf = done;
    this.doneStage = stage;
  }

  /** `s.done` with a step added, keeping what isDone() read of it current. */
  private markDone(step: CompiledStep): void {
    const s = this.s;
    const before = s.done;
    if (before === this.ownDone) this.ownDone.push(step.id);
    else if (before.length >= OWN_DONE_FROM) s.done = this.ownDone = [...before, step.id];
    else s.done = this.j.doneLists.append(before, step.id);
    if (this.doneOf !== before || this.doneStage !== this.stage) return;
    if (this.doneFlags !== null) this.doneFlags[step.index] = 1;
    else this.doneBits |= 1 << step.index;
    this.doneOf = s.done;
  }

  /** The time a touch can really go out: inside its send window and under the frequency cap; null if never. */
  private effective(step: CompiledStep, mode: "auto" | "task", base: number): number | null {
    const window = step.window(this.s.attrs);
    const clock = this.clock;
    let at = nextOpening(clock, base, window);
    if (at === null) return null;
    const cap = step.cap;
    if (cap && cap.modes.has(mode) && this.s.sent.length >= cap.max) {
      const free = clock.add(this.s.sent[this.s.sent.length - cap.max]!, cap.per);
      if (free > at) at = nextOpening(clock, free, window);
    }
    return at;
  }

  private apply(h: Happening): void {
    // A single step without a wait or a capped touch changes nothing but its own `done` entry (and
    // the effects), so the rest of the scan stands and its runner-up is the next happening: that
    // saves the second scan of a typical firing tick.
    const keep = h === this.best && h.kind === "step" && !h.step.multi && !h.step.wait && !(h.step.cap && h.step.cap.modes.has(h.step.mode));
    this.known = keep ? this.second : undefined;
    this.forgetScan();
    switch (h.kind) {
      case "enter":
        this.enter(this.j.entry, h.at, "enroll", {});
        return;
      case "silence":
        this.enter(h.transition.to, h.at, "silence", {});
        return;
      case "release": {
        const waiting = stepOf(this.stage, this.s.gate!.step);
        // `onTimeout: "stay"`: out of bait, keep waiting for the customer with no further wake-up.
        if (waiting?.wait?.stay) this.s.gate = { ...this.s.gate!, until: null };
        else this.release(h.at, "timeout");
        return;
      }
      case "alternative":
        return this.fireAlternative(h.step, h.at, h.never === true);
      case "step":
        return this.fireStep(h.step, h.base, h.label, h.at, h.never);
    }
  }

  private fireStep(step: CompiledStep, base: number, label: string | undefined, at: number, never: boolean): void {
    const s = this.s;
    if (step.multi) s.last = { ...s.last, [step.id]: base };
    else this.markDone(step);
    const suffix = label !== undefined ? `#${label}` : "";
    const skip = never ? { reason: "no-window" as const } : this.skipReason(step, at);
    if (skip) {
      this.skip(step, at, suffix, label, undefined, step.channel, step.content, skip.reason, skip.detail);
      if (step.wait) s.anchors = append(s.anchors, at); // a skipped wait does not hold the rest of the SOP
      return;
    }
    this.touch(step, step.mode, at, suffix, label, undefined, step.channel, step.content, step.delivery);
    if (step.wait) s.gate = { step: step.id, alt: 0, until: this.clock.add(at, step.wait.timeout) };
  }

  private fireAlternative(step: CompiledStep, at: number, never: boolean): void {
    const gate = { step: this.s.gate!.step, alt: this.s.gate!.alt + 1, until: this.clock.add(at, step.wait!.timeout) };
    const alt = step.wait!.alternatives[gate.alt - 1]!;
    this.s.gate = gate;
    const skip = never ? { reason: "no-window" as const } : this.expired(step, at);
    if (skip) this.skip(step, at, `~${gate.alt}`, undefined, gate.alt, alt.channel, alt.content, skip.reason, undefined);
    else this.touch(step, alt.mode, at, `~${gate.alt}`, undefined, gate.alt, alt.channel, alt.content, alt.delivery);
  }

  // Effects are built as plain literals with a fixed field order (no spreads): this is the hot path.
  private touch(step: CompiledStep, mode: "auto" | "task", at: number, suffix: string, occurrence: string | undefined, alternative: number | undefined, channel: CompiledStep["channel"], content: string, delivery: CompiledStep["delivery"]): void {
    const s = this.s;
    const cap = step.cap;
    if (cap && cap.modes.has(mode)) {
      s.sent = append(s.sent, at);
      // The history is shared by every cap of the journey: keep what the largest one needs.
      if (s.sent.length > this.j.capHistory) s.sent = s.sent.slice(s.sent.length - this.j.capHistory);
    }
    const effect: StepDueEffect = {
      type: "step.due",
      journey: this.j.id,
      customer: s.customer,
      key: this.key(step, suffix),
      stage: s.stage,
      visit: s.visit,
      stepId: step.id,
      dueAt: iso(at),
      channel,
      content,
      mode,
    };
    this.dueCount++;
    if (occurrence !== undefined) effect.occurrence = occurrence;
    if (alternative !== undefined) effect.alternative = alternative;
    if (delivery !== undefined) effect.delivery = delivery;
    const assignee = step.assignee ?? s.assignee;
    if (assignee) effect.assignee = assignee;
    if (step.title) effect.title = step.title;
    this.effects.push(effect);
  }

  private skip(step: CompiledStep, at: number, suffix: string, occurrence: string | undefined, alternative: number | undefined, channel: CompiledStep["channel"], content: string, reason: SkipReason, detail: string | undefined): void {
    const s = this.s;
    const effect: StepSkippedEffect = {
      type: "step.skipped",
      journey: this.j.id,
      customer: s.customer,
      key: this.key(step, suffix),
      stage: s.stage,
      visit: s.visit,
      stepId: step.id,
      dueAt: iso(at),
      channel,
      content,
      reason,
    };
    if (occurrence !== undefined) effect.occurrence = occurrence;
    if (alternative !== undefined) effect.alternative = alternative;
    if (detail) effect.detail = detail;
    this.effects.push(effect);
  }

  private key(step: CompiledStep, suffix: string): string {
    const s = this.s;
    return `${stepKeyPrefix(this.j.id, s.customer)}${s.stage}:${s.visit}:${step.id}${suffix}`;
  }

  private skipReason(step: CompiledStep, at: number): { reason: SkipReason; detail?: string } | null {
    const seen = step.unless.length === 0 ? undefined : step.unless.find((name) => this.s.seen.includes(name));
    if (seen) return { reason: "condition", detail: `${seen} happened` };
    return this.expired(step, at);
  }

  private expired(step: CompiledStep, at: number): { reason: SkipReason } | null {
    // Punctual: each happening is handled at its own time, which is never past its expiry.
    if (this.limits.punctual) return null;
    return step.expire && this.now > this.clock.add(at, step.expire) ? { reason: "expired" } : null;
  }

  private release(at: number, by: "event" | "timeout", event?: string): void {
    const s = this.s;
    const gate = s.gate!;
    s.gate = undefined;
    s.anchors = append(s.anchors, at);
    this.effects.push({ type: "wait.ended", journey: this.j.id, customer: s.customer, stage: s.stage, stepId: gate.step, at: iso(at), by, ...(event ? { event } : {}) });
  }

  /** Leaves the current stage (cancelling what is pending) and starts `to`'s SOP anew. */
  enter(to: string, at: number, reason: EntryReason, extra: { event?: { id: string; name: string }; tag?: string; by?: string }): void {
    this.known = undefined;
    const s = this.s;
    const from = s.visit === 0 ? null : s.stage;
    if (from !== null) {
      if (at !== this.movesAt) {
        this.movesAt = at;
        this.moves = 0;
      }
      if (++this.moves > MAX_MOVES_AT_ONE_INSTANT) {
        throw new Error(`journey "${this.j.id}": more than ${MAX_MOVES_AT_ONE_INSTANT} stage moves at one instant (${iso(at)}) for customer ${s.customer}`);
      }
      const clock = this.clock;
      // (A migration may leave a stage that the new version no longer has.)
      const cancelled = (this.j.stages.get(from)?.steps ?? [])
        .filter((step) => step.segment > s.anchors.length || nextOccurrence(step, s, clock, step.segment === 0 ? s.enteredAt : s.anchors[step.segment - 1]!) !== null)
        .map((step) => step.id);
      this.effects.push({ type: "stage.exited", journey: this.j.id, customer: s.customer, stage: from, visit: s.visit, at: iso(at), cancelled });
    }
    s.stage = to;
    s.visit += 1;
    s.enteredAt = at;
    s.done = NONE;
    s.last = {};
    s.seen = [];
    s.heard = NO_KEYS;
    s.anchors = [];
    s.gate = undefined;
    this.effects.push({ type: "stage.entered", journey: this.j.id, customer: s.customer, from, to, visit: s.visit, at: iso(at), reason, ...extra });
    const stage = this.stage;
    this.skipPastDates(stage, at);
    for (const tag of stage.removeTags) this.untag(tag, at, "stage");
    for (const tag of stage.addTags) this.tag(tag, at, "stage");
    this.followTags(at);
  }

  /**
   * A dated campaign step whose date passed before the customer entered its stage is recorded as
   * skipped (`expired`) at entry, so their history says why they did not get it (not silence).
   */
  private skipPastDates(stage: CompiledStage, at: number): void {
    for (const step of stage.multis) {
      if (step.timing !== "date" || step.segment !== 0) continue;
      const day = step.holidayDays![0]!;
      const base = step.fixedClock!.instant(day, step.tod!);
      if (base >= at) continue;
      const date = ZoneClock.isoDate(day);
      this.s.last = { ...this.s.last, [step.id]: base };
      this.skip(step, base, `#${date}`, date, undefined, step.channel, step.content, "expired", `dated ${date}: passed before the customer entered the stage`);
    }
  }

  /** Records a customer event at `at` (its own time `happened` may be earlier when it arrived late). */
  event(id: string, name: string, at: number, happened: number, data?: unknown): void {
    this.known = undefined;
    const s = this.s;
    s.active = Math.max(s.active, happened);
    if (happened >= s.enteredAt && !s.seen.includes(name)) s.seen = append(s.seen, name);
    if (happened >= s.enteredAt) {
      for (const u of this.stage.unlessWhere.get(name) ?? []) if (!s.seen.includes(u.marker) && u.where(data)) s.seen = append(s.seen, u.marker);
    }
    if (happened >= s.enteredAt && this.j.watched.has(name)) {
      const prev = s.heard[name];
      if (prev === undefined || prev < happened) s.heard = { ...s.heard, [name]: happened };
    }
    this.count(name, happened);
    if (s.gate) {
      const wait = stepOf(this.stage, s.gate.step)?.wait;
      if (wait?.events.includes(name) && (!wait.where || wait.where(data))) this.release(at, "event", name);
    }
    for (const rule of this.j.tagRules.get(name) ?? []) {
      if (rule.where) {
        if (!rule.where(data)) continue;
        if (rule.count > 1) this.count(rule.counter, happened);
      }
      if (rule.count > 1 && this.recent(rule.counter, rule.within, at) < rule.count) continue;
      if (rule.remove) this.untag(rule.tag, at, "rule");
      else this.tag(rule.tag, at, "rule");
    }
    const move = this.stage.onEvent.get(name)?.find((t) => !t.where || t.where(data));
    if (move) this.enter(move.to, at, "event", { event: { id, name } });
    else this.followTags(at);
  }

  private count(name: string, happened: number): void {
    const keep = this.j.counted.get(name);
    if (!keep) return;
    const times = append(this.s.counts[name] ?? [], happened);
    times.sort((a, b) => a - b);
    if (times.length > keep.keep) times.splice(0, times.length - keep.keep);
    if (keep.within) {
      const oldest = this.clock.add(happened, keep.within, -1);
      while (times.length > 0 && times[0]! <= oldest) times.shift();
    }
    const counts: Record<string, readonly number[]> = { ...this.s.counts };
    if (times.length === 0) delete counts[name];
    else counts[name] = times;
    this.s.counts = counts;
  }

  private recent(name: string, within: CompiledTransition["silentFor"], at: number): number {
    const times = this.s.counts[name] ?? [];
    if (!within) return times.length;
    const since = this.clock.add(at, within, -1);
    return times.filter((t) => t > since).length;
  }

  private tag(tag: string, at: number, reason: "rule" | "stage"): void {
    if (this.s.tags.includes(tag)) return;
    this.s.tags = append(this.s.tags, tag);
    this.effects.push({ type: "tag.added", journey: this.j.id, customer: this.s.customer, tag, at: iso(at), reason });
  }

  private untag(tag: string, at: number, reason: "rule" | "stage"): void {
    if (!this.s.tags.includes(tag)) return;
    this.s.tags = this.s.tags.filter((t) => t !== tag);
    this.effects.push({ type: "tag.removed", journey: this.j.id, customer: this.s.customer, tag, at: iso(at), reason });
  }

  /** Tag transitions fire as soon as the customer has the tag. */
  private followTags(at: number): void {
    const move = this.stage.onTag.find((t) => this.s.tags.includes(t.tag!));
    if (move) this.enter(move.to, at, "tag", { tag: move.tag! });
  }

  assign(assignee: string | null, at: number, by?: string): void {
    this.known = undefined;
    const s = this.s;
    const from = s.assignee ?? null;
    if (from === assignee) return;
    if (assignee === null) s.assignee = undefined;
    else s.assignee = assignee;
    this.effects.push({ type: "assignee.changed", journey: this.j.id, customer: s.customer, from, to: assignee, at: iso(at), ...(by ? { by } : {}) });
  }
}

/**
 * Whether a single step whose time is at least `lowest` comes after `other` whatever its window:
 * later, or at the same time and ranked after it. Steps later in a scan's order (`earliest`, then
 * SOP order) cannot beat `other` either.
 */
function cannotBeat(lowest: number, step: CompiledStep, other: Happening): boolean {
  return lowest > other.at || (lowest === other.at && rank(other) < ORDER.step * 10_000 + step.index);
}

/** The last time any of `names` was heard during this visit (-Infinity: none was). */
function lastHeard(heard: Readonly<Record<string, number>>, names: readonly string[]): number {
  let last = -Infinity;
  for (let i = 0; i < names.length; i++) {
    const t = heard[names[i]!];
    if (t !== undefined && t > last) last = t;
  }
  return last;
}

function stepOf(stage: CompiledStage, id: string): CompiledStep | undefined {
  const i = stage.indexOf.get(id);
  return i === undefined ? undefined : stage.steps[i];
}

/** Whether `h` comes before `other`: earlier, or at the same instant entry, then silence, waits, then steps in SOP order. */
function before(h: Happening, other: Happening): boolean {
  return h.at < other.at || (h.at === other.at && rank(h) < rank(other));
}

function rank(h: Happening): number {
  return ORDER[h.kind] * 10_000 + ("step" in h ? h.step.index : 0);
}
