import { type JourneyDefinition, welcomeStep } from "@sopline/core";

/**
 * The welcome of a journey: the first step of the entry stage on private_chat that is due at once
 * (`after: "0m"`, no calendar day, time of day, window or quiet hours that could delay it). Its
 * delivery is what send_welcome_msg sends inside the 20-second window. The rule lives in the core
 * (`welcomeStep`), which also lints and the gateway's publish check use.
 */
export function findWelcomeStep(definition: JourneyDefinition): { stepId: string; content: string } | undefined {
  return welcomeStep(definition);
}
