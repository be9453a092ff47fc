import { type JourneyDefinition, parseDuration } from "@sopline/core";

/**
 * The welcome of a journey: the first step of the entry stage on private_chat that is due at once
 * (`after: "0m"`, no calendar day, time of day, window or quiet hours that could delay it). Its
 * delivery is what send_welcome_msg sends inside the 20-second window.
 */
export function findWelcomeStep(definition: JourneyDefinition): { stepId: string; content: string } | undefined {
  const stage = definition.stages.find((s) => s.id === definition.entry);
  for (const step of stage?.sop ?? []) {
    if (step.channel !== "private_chat" || (step.mode ?? "auto") !== "auto") continue;
    if (step.day !== undefined || step.at !== undefined || step.birthday || step.holiday || step.date !== undefined || step.waitFor || step.repeat) continue;
    if (step.window !== undefined || step.quietHours !== undefined) continue;
    const after = parseDuration(step.after ?? 0);
    if (typeof after === "string" || after.ms !== 0 || after.days !== 0 || after.months !== 0) continue;
    return { stepId: step.id, content: step.content };
  }
  return undefined;
}
