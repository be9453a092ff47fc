import type { Journey } from "@sopline/core";
import type { SqlRunner } from "../db/index.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import { LiveSopError } from "./errors.js";

/**
 * The newest version of a journey, and checks that `stepId` (when given) is one of its steps;
 * otherwise a NOT_FOUND naming what is missing and what exists, before anything is changed.
 */
export async function journeyTarget(sql: SqlRunner, registry: JourneyRegistry, workspaceId: string, journeyKey: string, stepId?: string | null): Promise<Journey> {
  const journey = await registry.latest(sql, workspaceId, journeyKey);
  if (!journey) throw new LiveSopError("NOT_FOUND", `journey "${journeyKey}" not found`);
  if (stepId) {
    const steps = journey.definition.stages.flatMap((s) => (s.sop ?? []).map((step) => step.id));
    if (!steps.includes(stepId)) {
      throw new LiveSopError("NOT_FOUND", `stepId: journey "${journeyKey}" (version ${journey.version}) has no step "${stepId}"; its steps: ${[...new Set(steps)].join(", ") || "none"}`);
    }
  }
  return journey;
}

/** The stage a journey's customers may be moved to, or BAD_USER_INPUT naming the stages it has. */
export function checkStage(journey: Journey, stage: string, path: string): void {
  const stages = journey.definition.stages.map((s) => s.id);
  if (!stages.includes(stage)) throw new LiveSopError("BAD_USER_INPUT", `${path}: journey "${journey.id}" has no stage "${stage}"; its stages: ${stages.join(", ")}`);
}
