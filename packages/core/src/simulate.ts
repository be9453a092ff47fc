import type { Effect } from "./effects.js";
import { Run } from "./engine.js";
import { JourneyInputError } from "./errors.js";
import type { Customer, JourneyInput } from "./inputs.js";
import type { Journey } from "./journey.js";
import { SIMULATION_BUDGET } from "./limits.js";
import { type JourneyState, draftOf, finish } from "./state.js";
import { type Instant, iso, toMillis } from "./time.js";

/** Options of {@link Journey.simulate}. */
export interface SimulateOptions {
  /** Simulate up to this instant. */
  until: Instant;
  /** When the customer enrolls (a customer rather than a state); default: the first input's time. */
  start?: Instant;
  /** Stop once this many steps are due (e.g. the first 50 upcoming steps). */
  maxSteps?: number;
  /** Most happenings to process; default {@link SIMULATION_BUDGET}. */
  budget?: number;
}

/** What {@link Journey.simulate} returns: every effect in order and the state at `until`. */
export interface Simulation {
  journey: string;
  customer: string;
  until: string;
  effects: Effect[];
  state: JourneyState;
  /** True when `maxSteps` or the budget stopped the simulation before `until`. */
  truncated: boolean;
  /** Steps the engine looked at: its measure of work, which grows linearly with steps and happenings. */
  scanned: number;
}

const isState = (x: Customer | JourneyState): x is JourneyState => "stage" in x && "journey" in x;

export function simulate(journey: Journey, subject: Customer | JourneyState, inputs: JourneyInput[], options: SimulateOptions): Simulation {
  const until = toMillis(options.until, "simulate until");
  const ordered = inputs
    .map((input, i) => ({ input, i, at: toMillis(input.at, `inputs[${i}].at`) }))
    .sort((a, b) => a.at - b.at || a.i - b.i);
  let state: JourneyState;
  if (isState(subject)) state = subject;
  else {
    const start = options.start ?? ordered[0]?.at;
    if (start === undefined) throw new JourneyInputError("simulate: pass options.start (when the customer enrolls) when there are no inputs");
    state = journey.enroll(subject, start);
  }
  const effects: Effect[] = [];
  let happenings = options.budget ?? SIMULATION_BUDGET;
  let steps = options.maxSteps ?? Infinity;
  let scanned = 0;
  let truncated = false;
  // One run from wake-up to wake-up, judging expiry as a scheduler ticking at every wake-up would:
  // nothing expires in a simulation, and a long SOP is scanned once rather than once per tick.
  const runUntil = (t: number) => {
    if (state.wake === null || state.wake > t) return;
    const run = new Run(journey.compiled, draftOf(state), t, { happenings, due: steps, punctual: true });
    if (!run.catchUp(t)) truncated = true;
    run.settle();
    state = finish(run.s);
    for (const effect of run.effects) effects.push(effect);
    happenings -= run.applied;
    steps -= run.dueCount;
    scanned += run.scanned;
  };
  for (const { input, at } of ordered) {
    if (at > until) break;
    runUntil(at);
    if (truncated) break;
    const next = journey.advance(state, input);
    for (const effect of next.effects) effects.push(effect);
    state = next.state;
  }
  if (!truncated) runUntil(until);
  return { journey: journey.id, customer: state.customer, until: iso(until), effects, state, truncated, scanned };
}
