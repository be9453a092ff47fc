import { type CompiledJourney, compileJourney } from "./compile.js";
import type { Effect } from "./effects.js";
import { Run, type RunLimits } from "./engine.js";
import { JourneyInputError } from "./errors.js";
import { type Customer, type JourneyInput, birthdayOf, checkInput } from "./inputs.js";
import { TICK_BUDGET } from "./limits.js";
import { type LintIssue, type ContentItem, lintJourney } from "./lint.js";
import { migrateState, type MigrateOptions } from "./migrate.js";
import type { JourneyDefinition } from "./schema.js";
import { type SimulateOptions, type Simulation, simulate } from "./simulate.js";
import { type JourneyState, draftOf, finish } from "./state.js";
import { type Instant, toMillis } from "./time.js";
import { type MarketingCap, type TouchPlan, touchPlanOf } from "./touch-plan.js";
import { type JourneyOptions, assertValidJourney } from "./validate.js";
import { ZoneClock } from "./zone.js";

/** Options of {@link Journey.advance}. */
export interface AdvanceOptions {
  /**
   * Most happenings (steps due or skipped, alternatives, wait timeouts, stage entries) a tick
   * processes; default {@link TICK_BUDGET}. A tick that reaches it leaves the rest due: the state's
   * `nextWakeAt` stays at or before the tick's time and the next tick carries on, so every step
   * still comes out exactly once. Events, moves and handovers always catch up in full.
   */
  tickBudget?: number;
}

/** The result of {@link Journey.advance}: the next state and what must happen outside. */
export interface Advanced {
  state: JourneyState;
  effects: Effect[];
}

/**
 * A validated journey. Pure: every method takes the time as an argument and returns data.
 * @example
 * const journey = defineJourney(definition);
 * let state = journey.enroll({ id: "c1" }, "2026-11-23T10:00:00+08:00");
 * const { state: next, effects } = journey.advance(state, { type: "tick", at: "2026-11-24T09:00:00+08:00" });
 */
export class Journey {
  /** @internal */
  readonly compiled: CompiledJourney;
  /** The limits of the last tick budget asked for (one object, not one per tick). */
  private defaultTick: RunLimits = { happenings: TICK_BUDGET, due: Infinity, punctual: false };

  constructor(
    readonly definition: JourneyDefinition,
    readonly options: JourneyOptions = {},
  ) {
    this.compiled = compileJourney(definition, options);
  }

  get id(): string {
    return this.definition.id;
  }

  get version(): number {
    return this.definition.version;
  }

  /** A new state for a customer entering the journey's entry stage at `at`. The entry is processed by the first advance(). */
  enroll(customer: Customer, at: Instant): JourneyState {
    if (!customer || typeof customer.id !== "string" || customer.id === "") {
      throw new JourneyInputError(`customer.id: expected a non-empty string, got ${JSON.stringify(customer?.id)}`);
    }
    if (customer.timezone !== undefined && !ZoneClock.isValid(customer.timezone)) {
      throw new JourneyInputError(`customer.timezone: "${customer.timezone}" is not an IANA time zone (customer ${customer.id})`);
    }
    const t = toMillis(at, "enroll at");
    const attrs: Record<string, string> = {};
    for (const name of this.compiled.attributes) {
      const value = customer.attributes?.[name];
      if (value !== undefined && value !== null) attrs[name] = String(value);
    }
    const state: JourneyState = {
      journey: this.id,
      version: this.version,
      customer: customer.id,
      ...(customer.timezone && customer.timezone !== this.compiled.zone.name ? { tz: customer.timezone } : {}),
      ...(customer.birthday !== undefined ? { birthday: birthdayOf(customer.birthday) } : {}),
      ...(customer.assignee ? { assignee: customer.assignee } : {}),
      ...(Object.keys(attrs).length > 0 ? { attrs } : {}),
      stage: this.definition.entry,
      visit: 0,
      enteredAt: t,
      clock: t,
      active: t,
      wake: t,
    };
    return state;
  }

  /**
   * Moves a state forward to `input.at` and applies the input. Everything scheduled up to then is
   * processed in time order with its original due time (overdue steps past `expireAfter` are skipped).
   */
  advance(state: JourneyState, input: JourneyInput, options: AdvanceOptions = {}): Advanced {
    this.own(state);
    const at = checkInput(input);
    // The common case for a scheduler tick: nothing is due yet.
    if (input.type === "tick" && (state.wake === null || at < state.wake)) return { state, effects: [] };
    const run = new Run(this.compiled, draftOf(state), at, input.type === "tick" ? this.tickLimits(options.tickBudget) : undefined);
    const s = run.s;
    switch (input.type) {
      case "tick":
        run.catchUp(at);
        break;
      case "event":
        // An event that arrives after later happenings were processed takes effect now; its own time still counts for silence and tag rules.
        run.catchUp(at);
        run.event(input.id, input.name, Math.max(at, s.clock), at, input.data);
        s.clock = Math.max(s.clock, at);
        run.catchUp(s.clock);
        break;
      case "move": {
        if (!this.compiled.stages.has(input.to)) {
          throw new JourneyInputError(`input.to: unknown stage "${input.to}" in journey "${this.id}" (stages: ${[...this.compiled.stages.keys()].join(", ")})`);
        }
        const t = Math.max(at, s.clock);
        run.catchUp(t);
        run.enter(input.to, t, "manual", input.by ? { by: input.by } : {});
        s.clock = t;
        // Steps the move makes due right away (an "after: 0m" greeting) come out with it.
        run.catchUp(t);
        break;
      }
      case "assign": {
        const t = Math.max(at, s.clock);
        run.catchUp(t);
        run.assign(input.assignee, t, input.by);
        s.clock = t;
        break;
      }
    }
    run.settle();
    return { state: finish(s), effects: run.effects };
  }

  private tickLimits(budget = TICK_BUDGET): RunLimits {
    if (!(budget >= 1)) throw new JourneyInputError(`options.tickBudget: expected a number of at least 1, got ${JSON.stringify(budget)}`);
    if (budget !== this.defaultTick.happenings) this.defaultTick = { happenings: budget, due: Infinity, punctual: false };
    return this.defaultTick;
  }

  /** When advance() must next be called for this state, or null when nothing is left to happen. */
  nextWakeAt(state: JourneyState): Date | null {
    return state.wake === null ? null : new Date(state.wake);
  }

  /**
   * The timeline a customer (or an existing state) would receive given these events, ticking at every
   * wake-up until `until` — or until `maxSteps` steps are due or the {@link SIMULATION_BUDGET} is
   * spent (then `truncated` is true). Its cost grows linearly with the steps it passes and produces.
   */
  simulate(subject: Customer | JourneyState, inputs: JourneyInput[], options: SimulateOptions): Simulation {
    return simulate(this, subject, inputs, options);
  }

  /**
   * How one step counts against a workspace's marketing cap for this customer (kind, priority) and
   * when else it could go out (its window in the customer's zone); null for an unknown stage or step.
   * @example journey.touchPlan(state, effect.stage, effect.stepId)?.priority
   */
  touchPlan(state: JourneyState, stage: string, stepId: string): TouchPlan | null {
    return touchPlanOf(this.compiled, state, stage, stepId);
  }

  /** Moves a state of an earlier version onto this one: steps match by id and nothing already due repeats. */
  migrate(state: JourneyState, options: MigrateOptions = {}): Advanced {
    return migrateState(this, state, options);
  }

  /** Warnings about this definition (see {@link lintJourney}). */
  lint(library?: ContentItem[], options?: { at?: Instant; marketingCap?: MarketingCap }): LintIssue[] {
    return lintJourney(this.definition, library, options, this.options);
  }

  private own(state: JourneyState): void {
    if (!state || typeof state !== "object" || typeof state.stage !== "string") {
      throw new JourneyInputError(`state: expected a journey state from enroll()/advance(), got ${JSON.stringify(state)}`);
    }
    if (state.journey !== this.id) throw new JourneyInputError(`state belongs to journey "${state.journey}", not "${this.id}"`);
    if (state.version !== this.version) {
      throw new JourneyInputError(`state follows version ${state.version} of journey "${this.id}", this is version ${this.version}: migrate it with journey.migrate(state) first`);
    }
    if (!this.compiled.stages.has(state.stage)) throw new JourneyInputError(`state.stage: unknown stage "${state.stage}" in journey "${this.id}"`);
  }
}

/**
 * Validates a definition (throwing {@link JourneyDefinitionError} with every problem and its path)
 * and returns the pure journey engine for it.
 * @example
 * const journey = defineJourney({ id: "welcome", version: 1, timezone: "Asia/Shanghai", entry: "new",
 *   stages: [{ id: "new", sop: [{ id: "greet", after: "0m", channel: "private_chat", content: "greeting" }] }] });
 */
export function defineJourney(definition: JourneyDefinition, options: JourneyOptions = {}): Journey {
  assertValidJourney(definition, options);
  return new Journey(definition, options);
}
