/** Renders the month's outcome as the operator's board (看板): stages, then today's opportunities. */
import type { MonthResult } from "./month.js";

/**
 * The board as text.
 *
 * @example
 * console.log(formatBoard(await runMonth()));
 */
export function formatBoard(result: MonthResult): string {
  const { board, behaviour, work, scheduler } = result;
  const journey = board.journeys.find((j) => j.key === "b2b-nurture");
  const lines: string[] = [];
  lines.push(`${journey?.name ?? "b2b-nurture"} — board on ${board.date} (${board.timezone})`);
  lines.push("");
  lines.push(`${"stage".padEnd(24)}${"customers".padStart(10)}${"expected".padStart(10)}`);
  for (const stage of journey?.stages ?? []) {
    const expected = result.expected[stage.id as keyof MonthResult["expected"]];
    lines.push(`${(stage.name ?? stage.id).padEnd(24)}${String(stage.customers).padStart(10)}${String(expected ?? "-").padStart(10)}`);
  }
  lines.push(`${"total".padEnd(24)}${String(journey?.customers ?? 0).padStart(10)}${String(behaviour.leads).padStart(10)}`);
  lines.push("");
  lines.push(`${"staff".padEnd(16)}${"chat today".padStart(12)}${"call today".padStart(12)}${"overdue chat".padStart(14)}${"overdue call".padStart(14)}`);
  for (const s of board.staff) {
    lines.push(`${s.staff.name.padEnd(16)}${String(s.chat).padStart(12)}${String(s.call).padStart(12)}${String(s.overdueChat).padStart(14)}${String(s.overdueCall).padStart(14)}`);
  }
  lines.push("");
  lines.push(
    `Behaviour: ${behaviour.leads} leads, ${behaviour.events} events — ${behaviour.replied} replied, ${behaviour.clicked} clicked, ` +
      `${behaviour.attendedDemo} attended a demo, ${behaviour.bought} bought.`,
  );
  lines.push(`Reps: ${work.completed} tasks done, ${work.skipped} skipped, ${work.snoozed} snoozed.`);
  lines.push(`Scheduler: ${scheduler.runs} hourly runs fired ${scheduler.fired} steps and created ${scheduler.tasks} tasks.`);
  return lines.join("\n");
}
