import { parseDuration } from "./duration.js";
import type { DeliveryPath, JourneyDefinition, StepDefinition } from "./schema.js";

// Which official WeCom path each private_chat touch takes (WECHAT.md "Reaching an external contact
// 1:1"): a staff member's tap in the chat toolbar (mode task), a 群发助手 task (delivery
// "mass_send"), or — automatically — only the welcome message (send_welcome_msg, within 20 s of the
// friend-add). Anything else automatic needs an adapter the gateway was given.

/** A private_chat touch sent automatically 1:1, which no official WeCom API does. */
export interface AutomaticChat {
  /** e.g. "stages[0].sop[2]" or "stages[0].sop[2].waitFor.alternatives[0]" */
  path: string;
  stage: string;
  stepId: string;
}

/** The delivery path of a private_chat step ("chat" when not declared). */
export function deliveryPath(step: Pick<StepDefinition, "delivery">): DeliveryPath {
  return step.delivery ?? "chat";
}

/**
 * The welcome of a journey: the first step of the entry stage on private_chat, automatic, 1:1, due
 * at once (`after: "0m"`, no calendar day, time of day, window or quiet hours of its own that could
 * delay it). WeCom sends it with send_welcome_msg inside the 20-second window after the friend-add.
 * @example welcomeStep(definition)?.stepId // "greet"
 */
export function welcomeStep(definition: JourneyDefinition): { stepId: string; content: string } | undefined {
  const stage = definition.stages.find((s) => s.id === definition.entry);
  for (const step of stage?.sop ?? []) {
    if (step.channel !== "private_chat" || (step.mode ?? "auto") !== "auto" || deliveryPath(step) !== "chat") continue;
    if (step.day !== undefined || step.at !== undefined || step.birthday || step.holiday || step.date !== undefined || step.waitFor || step.repeat) continue;
    if (step.window !== undefined || step.quietHours !== undefined) continue;
    const after = parseDuration(step.after ?? 0);
    if (typeof after === "string" || after.ms !== 0 || after.days !== 0 || after.months !== 0) continue;
    return { stepId: step.id, content: step.content };
  }
  return undefined;
}

/**
 * Every automatic 1:1 private_chat touch except the welcome (steps and waiting steps'
 * alternatives): a gateway without a private_chat adapter refuses to publish them.
 * @example automaticChats(definition).map((c) => c.path) // ["stages[3].sop[0]"]
 */
export function automaticChats(definition: JourneyDefinition): AutomaticChat[] {
  const welcome = welcomeStep(definition)?.stepId;
  const found: AutomaticChat[] = [];
  definition.stages.forEach((stage, i) => {
    (stage.sop ?? []).forEach((step, j) => {
      const path = `stages[${i}].sop[${j}]`;
      const mode = step.mode ?? "auto";
      const isWelcome = stage.id === definition.entry && step.id === welcome;
      if (step.channel === "private_chat" && mode === "auto" && deliveryPath(step) === "chat" && !isWelcome) found.push({ path, stage: stage.id, stepId: step.id });
      (step.waitFor?.alternatives ?? []).forEach((alt, k) => {
        const channel = alt.channel ?? step.channel;
        const delivery = alt.delivery ?? (channel === step.channel ? step.delivery : undefined) ?? "chat";
        if (channel === "private_chat" && (alt.mode ?? mode) === "auto" && delivery === "chat") {
          found.push({ path: `${path}.waitFor.alternatives[${k}]`, stage: stage.id, stepId: step.id });
        }
      });
    });
  });
  return found;
}

/** Why an automatic 1:1 chat is refused, for messages. */
export const AUTOMATIC_CHAT_REASON =
  'no official WeCom API sends a 1:1 message without a staff action, except the welcome (send_welcome_msg): make it a chat task (mode: "task") or a 群发助手 step (delivery: "mass_send"), or register a private_chat adapter';
