import type { Channel, DeliveryPath } from "./schema.js";

interface Base {
  journey: string;
  customer: string;
}

/** A touch became due: the gateway records it once (by `key`) and sends it or makes it a staff task. */
export interface StepDueEffect extends Base {
  type: "step.due";
  /** Stable idempotency key: journey:customer:stage:visit:step[#occurrence|~alternative]. */
  key: string;
  stage: string;
  visit: number;
  stepId: string;
  /** Which occurrence of a recurring or calendar step (1, 2… / a year / a date). */
  occurrence?: string;
  /** Which alternative bait of a waiting step (1 = first alternative). */
  alternative?: number;
  /** When it is due (ISO-8601 UTC); overdue steps keep their original time. */
  dueAt: string;
  channel: Channel;
  content: string;
  mode: "auto" | "task";
  /** private_chat steps that declare it: "chat" (1:1) or "mass_send" (群发助手). Absent: chat. */
  delivery?: DeliveryPath;
  assignee?: string;
  title?: string;
}

export type SkipReason = "expired" | "condition" | "migrated" | "no-window";

/** A touch that will not be sent, and why. */
export interface StepSkippedEffect extends Base {
  type: "step.skipped";
  key: string;
  stage: string;
  visit: number;
  stepId: string;
  occurrence?: string;
  alternative?: number;
  dueAt: string;
  channel: Channel;
  content: string;
  reason: SkipReason;
  detail?: string;
}

export type EntryReason = "enroll" | "event" | "tag" | "silence" | "manual" | "migration";

export interface StageEnteredEffect extends Base {
  type: "stage.entered";
  from: string | null;
  to: string;
  visit: number;
  at: string;
  reason: EntryReason;
  event?: { id: string; name: string };
  tag?: string;
  by?: string;
}

/** The stage was left; `cancelled` lists its steps that will now never happen. */
export interface StageExitedEffect extends Base {
  type: "stage.exited";
  stage: string;
  visit: number;
  at: string;
  cancelled: string[];
}

export interface TagEffect extends Base {
  type: "tag.added" | "tag.removed";
  tag: string;
  at: string;
  reason: "rule" | "stage";
}

/** A wait-for-event ended: the customer responded, or the last bait timed out. */
export interface WaitEndedEffect extends Base {
  type: "wait.ended";
  stage: string;
  stepId: string;
  at: string;
  by: "event" | "timeout";
  event?: string;
}

export interface AssigneeChangedEffect extends Base {
  type: "assignee.changed";
  from: string | null;
  to: string | null;
  at: string;
  by?: string;
}

/** Everything advance() can ask the outside world to do or record. Plain data. */
export type Effect =
  | StepDueEffect
  | StepSkippedEffect
  | StageEnteredEffect
  | StageExitedEffect
  | TagEffect
  | WaitEndedEffect
  | AssigneeChangedEffect;
