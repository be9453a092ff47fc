export { defineJourney, Journey, type Advanced, type AdvanceOptions } from "./journey.js";
export type { Customer, JourneyInput } from "./inputs.js";
export type { JourneyState } from "./state.js";
export type {
  Effect,
  StepDueEffect,
  StepSkippedEffect,
  StageEnteredEffect,
  StageExitedEffect,
  TagEffect,
  WaitEndedEffect,
  AssigneeChangedEffect,
  SkipReason,
  EntryReason,
} from "./effects.js";
export { JourneyDefinitionError, JourneyInputError, type DefinitionIssue } from "./errors.js";
export { validateJourney, type JourneyOptions } from "./validate.js";
export { lintJourney, type LintIssue, type LintCode, type ContentItem } from "./lint.js";
export { renderTimeline } from "./timeline.js";
export type { Simulation, SimulateOptions } from "./simulate.js";
export {
  MAX_JOURNEY_VERSION,
  MAX_DURATION_MS,
  MAX_STEP_DAY,
  MIN_REPEAT_EVERY_MS,
  MIN_OPEN_REPEAT_EVERY_MS,
  MAX_REPEAT_OCCURRENCES,
  MIN_SILENT_FOR_MS,
  MIN_WAIT_TIMEOUT_MS,
  MIN_MOMENTS_PERIOD_MS,
  MAX_STEPS_PER_STAGE,
  MAX_STEPS_PER_JOURNEY,
  MAX_STAGES,
  MAX_TRANSITIONS,
  TICK_BUDGET,
  SIMULATION_BUDGET,
} from "./limits.js";
export type { MigrateOptions } from "./migrate.js";
export {
  journeyJsonSchema,
  journeyDefinitionSchema,
  CHANNELS,
  DELIVERY_PATHS,
  type DeliveryPath,
  type JourneyDefinition,
  type StageDefinition,
  type StepDefinition,
  type TransitionDefinition,
  type TagRuleDefinition,
  type OpportunitiesDefinition,
  type GoalDefinition,
  type TimeRange,
  type WindowDefinition,
  type FrequencyCap,
  type Channel,
} from "./schema.js";
export { stepKeyPrefix } from "./step-key.js";
export { welcomeStep, automaticChats, deliveryPath, AUTOMATIC_CHAT_REASON, type AutomaticChat } from "./delivery-paths.js";
export { parseDuration, type DurationInput } from "./duration.js";
export { type Instant, toMillis } from "./time.js";
export { placeTouches, DEFERRED_GAP_MS, type TouchPlan, type MarketingCap } from "./touch-plan.js";
export { WHERE_OPERATORS, type WhereDefinition, type WhereOperators, type WhereScalar } from "./where.js";
