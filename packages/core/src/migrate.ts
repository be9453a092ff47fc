import type { Effect } from "./effects.js";
import type { Advanced, Journey } from "./journey.js";
import { JourneyInputError } from "./errors.js";
import { nextOccurrence } from "./occurrences.js";
import { type JourneyState, append, draftOf, finish } from "./state.js";
import { iso } from "./time.js";
import { ZoneClock } from "./zone.js";
import { Run } from "./engine.js";
import { stepKeyPrefix } from "./step-key.js";

export interface MigrateOptions {
  /** Where customers in a stage that no longer exists go (old stage id → new stage id). */
  stageMap?: Record<string, string>;
}

/**
 * Puts a state onto the journey's version. Steps match by id: done steps stay done. A step of the
 * new version whose time is at or before the state's clock was never due under the old version,
 * so it is recorded as skipped (reason `migrated`) instead of being sent late.
 */
export function migrateState(journey: Journey, state: JourneyState, options: MigrateOptions): Advanced {
  const j = journey.compiled;
  if (state.journey !== j.id) throw new JourneyInputError(`state belongs to journey "${state.journey}", not "${j.id}"`);
  if (state.version === j.version) return { state, effects: [] };
  const d = draftOf(state);
  d.version = j.version;
  const effects: Effect[] = [];
  const mapped = options.stageMap?.[d.stage];
  if (!j.stages.has(d.stage) && !mapped) {
    throw new JourneyInputError(`state.stage: stage "${d.stage}" does not exist in version ${j.version} of journey "${j.id}"; pass { stageMap: { "${d.stage}": "<new stage>" } }`);
  }
  if (mapped) {
    if (!j.stages.has(mapped)) throw new JourneyInputError(`stageMap["${d.stage}"]: unknown stage "${mapped}" in version ${j.version}`);
    const run = new Run(j, d, d.clock);
    run.enter(mapped, d.clock, "migration", {});
    run.settle();
    return { state: finish(run.s), effects: run.effects };
  }
  const stage = j.stages.get(d.stage)!;
  const ids = new Set(stage.steps.map((s) => s.id));
  d.done = d.done.filter((id) => ids.has(id));
  d.last = Object.fromEntries(Object.entries(d.last).filter(([id]) => ids.has(id)));
  const gateStep = d.gate ? stage.steps.find((s) => s.id === d.gate!.step && s.wait) : undefined;
  if (d.gate && !gateStep) {
    d.gate = undefined;
    d.anchors = append(d.anchors, d.clock);
  }
  // Watched events the old version may not have tracked: the state cannot tell whether the
  // customer's last event was one of them, so silence counts from it (a later move, never an early one).
  if (d.active > d.enteredAt) {
    for (const name of j.watched) if (d.heard[name] === undefined) d.heard = { ...d.heard, [name]: d.active };
  }
  const gates = stage.steps.filter((s) => s.wait).length;
  if (d.anchors.length > gates) d.anchors = d.anchors.slice(0, gates);
  const clock = d.tz ? ZoneClock.of(d.tz) : j.zone;
  for (const step of stage.steps) {
    if (step.segment > d.anchors.length) continue;
    const anchor = step.segment === 0 ? d.enteredAt : d.anchors[step.segment - 1]!;
    for (let occ = nextOccurrence(step, d, clock, anchor); occ && occ.base <= d.clock; occ = nextOccurrence(step, d, clock, anchor)) {
      if (step.multi) d.last = { ...d.last, [step.id]: occ.base };
      else d.done = append(d.done, step.id);
      const suffix = occ.label !== undefined ? `#${occ.label}` : "";
      effects.push({
        type: "step.skipped",
        journey: j.id,
        customer: d.customer,
        key: `${stepKeyPrefix(j.id, d.customer)}${d.stage}:${d.visit}:${step.id}${suffix}`,
        stage: d.stage,
        visit: d.visit,
        stepId: step.id,
        ...(occ.label !== undefined ? { occurrence: occ.label } : {}),
        dueAt: iso(occ.base),
        channel: step.channel,
        content: step.content,
        reason: "migrated",
        detail: `added in version ${j.version} after its time had passed`,
      });
      if (!step.multi) break;
    }
  }
  const run = new Run(j, d, d.clock);
  run.settle();
  return { state: finish(run.s), effects };
}
