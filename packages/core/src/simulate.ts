import type { Effect } from "./effects.js";
import { JourneyInputError } from "./errors.js";
import type { Customer, JourneyInput } from "./inputs.js";
import type { Journey } from "./journey.js";
import type { JourneyState } from "./state.js";
import { type Instant, iso, toMillis } from "./time.js";

/** What {@link Journey.simulate} returns: every effect in order and the state at `until`. */
export interface Simulation {
  journey: string;
  customer: string;
  until: string;
  effects: Effect[];
  state: JourneyState;
}

const isState = (x: Customer | JourneyState): x is JourneyState => "stage" in x && "journey" in x;

export function simulate(
  journey: Journey,
  subject: Customer | JourneyState,
  inputs: JourneyInput[],
  options: { until: Instant; start?: Instant },
): Simulation {
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
  // Tick at every wake-up, as a punctual scheduler would, so nothing expires in the simulation.
  const runUntil = (t: number) => {
    for (let wake = state.wake; wake !== null && wake <= t; wake = state.wake) {
      const next = journey.advance(state, { type: "tick", at: wake });
      effects.push(...next.effects);
      if (next.state.wake === wake && next.effects.length === 0) break;
      state = next.state;
    }
  };
  for (const { input, at } of ordered) {
    if (at > until) break;
    runUntil(at);
    const next = journey.advance(state, input);
    effects.push(...next.effects);
    state = next.state;
  }
  runUntil(until);
  return { journey: journey.id, customer: state.customer, until: iso(until), effects, state };
}
