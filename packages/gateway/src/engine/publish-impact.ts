import type { Effect, Journey, JourneyState } from "@sopline/core";

/** What moving a journey's in-flight enrollments onto a new version does (or did) to them. */
export interface PublishImpact {
  /** In-flight enrollments of older versions (a customer enrolled with two staff members counts twice). */
  customers: number;
  /** Where they are, after the move. */
  byStage: Array<{ stage: string; customers: number }>;
  /** Steps their stage did not have before and that are still ahead of them. */
  newSteps: Array<{ stage: string; stepId: string; customers: number }>;
  /** New steps whose time had already passed for them: recorded as skipped (`migrated`), never sent. */
  skippedAsMigrated: Array<{ stepId: string; customers: number }>;
}

/** Adds up one migrated enrollment after another; memory grows with stages and steps, not customers. */
export class ImpactTally {
  private customers = 0;
  private readonly stages = new Map<string, number>();
  private readonly fresh = new Map<string, { stage: string; stepId: string; customers: number }>();
  private readonly skipped = new Map<string, number>();

  add(from: Journey, to: Journey, migrated: JourneyState, effects: Effect[]): void {
    this.customers++;
    bump(this.stages, migrated.stage);
    const skipped = new Set<string>();
    for (const e of effects) if (e.type === "step.skipped" && e.reason === "migrated") skipped.add(e.stepId);
    for (const stepId of skipped) bump(this.skipped, stepId);
    const before = new Set(sopOf(from, migrated.stage).map((s) => s.id));
    const done = new Set(migrated.done ?? []);
    for (const step of sopOf(to, migrated.stage)) {
      // a repeating step skipped as migrated still has later occurrences ahead
      if (before.has(step.id) || done.has(step.id)) continue;
      const key = `${migrated.stage}\u0000${step.id}`;
      const entry = this.fresh.get(key) ?? { stage: migrated.stage, stepId: step.id, customers: 0 };
      entry.customers++;
      this.fresh.set(key, entry);
    }
  }

  result(): PublishImpact {
    return {
      customers: this.customers,
      byStage: [...this.stages].map(([stage, customers]) => ({ stage, customers })).sort((a, b) => b.customers - a.customers || a.stage.localeCompare(b.stage)),
      newSteps: [...this.fresh.values()].sort((a, b) => a.stage.localeCompare(b.stage) || a.stepId.localeCompare(b.stepId)),
      skippedAsMigrated: [...this.skipped].map(([stepId, customers]) => ({ stepId, customers })).sort((a, b) => a.stepId.localeCompare(b.stepId)),
    };
  }
}

const sopOf = (journey: Journey, stage: string) => journey.definition.stages.find((s) => s.id === stage)?.sop ?? [];

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
