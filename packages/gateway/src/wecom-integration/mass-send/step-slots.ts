/**
 * The send slots of a 群发 step that has its own `window`: the window's openings, plus the
 * workspace's slots that fall inside it (a step due at 19:00 in an 18:00–21:00 window still goes at
 * the workspace's 20:00 slot, not the next day's 18:00). Days of the window are not applied (the
 * core already moved the step's due time into them). A per-audience window (`byAttribute`) or none:
 * null, the workspace's slots.
 */
import { slotMinutes } from "./slots.js";

interface Range {
  from: string;
  to: string;
}

const isRange = (v: unknown): v is Range => typeof v === "object" && v !== null && typeof (v as Range).from === "string" && typeof (v as Range).to === "string";

export function stepWindowSlots(window: unknown, workspaceSlots: readonly string[]): string[] | null {
  const ranges = Array.isArray(window) ? window : [window];
  if (window === undefined || window === null || !ranges.every(isRange) || ranges.length === 0) return null;
  const inside = (t: string) =>
    ranges.some((r) => {
      const [m, from, to] = [slotMinutes(t), slotMinutes(r.from), slotMinutes(r.to)];
      if (m === undefined || from === undefined || to === undefined) return false;
      return to > from ? m >= from && m < to : m >= from || m < to; // `to` before `from` runs past midnight
    });
  return [...new Set([...ranges.map((r) => r.from), ...workspaceSlots.filter(inside)])].sort();
}

/** The `window` of step `stepId` of stage `stage` in a stored journey definition (undefined when it has none). */
export function stepWindowOf(definition: unknown, stage: string, stepId: string): unknown {
  const stages = (definition as { stages?: Array<{ id?: string; sop?: Array<{ id?: string; window?: unknown }> }> } | null)?.stages;
  return stages?.find((s) => s.id === stage)?.sop?.find((s) => s.id === stepId)?.window;
}
