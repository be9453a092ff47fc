// Where each content ref is used, and the coverage grid: per journey, stage and channel, which
// months after stage entry have touches, and whether their content is there and current.
import { parseDuration, type JourneyDefinition } from "@sopline/core";
import type { LibraryEntry } from "./library.js";

export const MONTHS = 12;
const DAY = 86_400_000;

export type CellStatus = "ok" | "missing" | "expired";
export interface CoverageRow {
  journey: string;
  stage: string;
  stageName: string;
  channel: string;
  /** Per month (0 = the first 30 days in the stage): touches and their worst status, or null without a touch. */
  months: Array<{ touches: number; status: CellStatus; refs: string[] } | null>;
}
export interface Usage {
  journey: string;
  stage: string;
  step: string;
}

const daysOf = (value: unknown): number | null => {
  const span = parseDuration(value);
  return typeof span === "string" ? null : span.months * 30 + span.days + span.ms / DAY;
};

/** The days after stage entry a step falls on (first year), or [] for calendar steps (birthday, holiday, date). */
function stepDays(step: NonNullable<JourneyDefinition["stages"][number]["sop"]>[number]): number[] {
  const first = step.day ?? (step.after !== undefined ? daysOf(step.after) : step.birthday || step.holiday || step.date ? null : 0);
  if (first === null) return [];
  if (!step.repeat) return [first];
  const every = daysOf(step.repeat.every);
  if (!every || every <= 0) return [first];
  const limit = step.repeat.for !== undefined ? first + (daysOf(step.repeat.for) ?? 365) : Infinity;
  const days: number[] = [];
  for (let d = first, n = 0; d < MONTHS * 30 && d <= limit && n < (step.repeat.times ?? Infinity); d += every, n++) days.push(d);
  return days;
}

const worse = (a: CellStatus, b: CellStatus): CellStatus => (a === "missing" || b === "missing" ? "missing" : a === "expired" || b === "expired" ? "expired" : "ok");

export function coverage(journeys: Array<{ key: string; definition: JourneyDefinition }>, library: LibraryEntry[]): { rows: CoverageRow[]; usage: Map<string, Usage[]> } {
  const byRef = new Map(library.map((c) => [c.ref, c]));
  const usage = new Map<string, Usage[]>();
  const rows: CoverageRow[] = [];
  for (const { key, definition } of journeys) {
    const channels = [...new Set(definition.stages.flatMap((s) => (s.sop ?? []).map((step) => step.channel)))];
    for (const stage of definition.stages) {
      for (const channel of channels) {
        const months: CoverageRow["months"] = Array.from({ length: MONTHS }, () => null);
        for (const step of stage.sop ?? []) {
          if (step.channel !== channel) continue;
          const entry = byRef.get(step.content);
          const status: CellStatus = !entry ? "missing" : entry.expired ? "expired" : "ok";
          for (const day of stepDays(step)) {
            const m = Math.floor(day / 30);
            if (m >= MONTHS) continue;
            const cell = (months[m] ??= { touches: 0, status: "ok", refs: [] });
            cell.touches++;
            cell.status = worse(cell.status, status);
            if (!cell.refs.includes(step.content)) cell.refs.push(step.content);
          }
        }
        rows.push({ journey: key, stage: stage.id, stageName: stage.name ?? stage.id, channel, months });
      }
      for (const step of stage.sop ?? []) {
        for (const ref of [step.content, ...(step.waitFor?.alternatives ?? []).map((a) => a.content)]) {
          const list = usage.get(ref) ?? [];
          list.push({ journey: key, stage: stage.id, step: step.id });
          usage.set(ref, list);
        }
      }
    }
  }
  return { rows, usage };
}
