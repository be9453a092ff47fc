export { defineJourney, Journey, type Advanced } from "./journey.js";
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
export type { Simulation } from "./simulate.js";
export type { MigrateOptions } from "./migrate.js";
export {
  journeyJsonSchema,
  journeyDefinitionSchema,
  CHANNELS,
  type JourneyDefinition,
  type StageDefinition,
  type StepDefinition,
  type TransitionDefinition,
  type TagRuleDefinition,
  type TimeRange,
  type WindowDefinition,
  type FrequencyCap,
  type Channel,
} from "./schema.js";
export { stepKeyPrefix } from "./step-key.js";
export { parseDuration, type DurationInput } from "./duration.js";
export { type Instant, toMillis } from "./time.js";
