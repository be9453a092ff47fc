/**
 * examples/b2b-nurture: the six-touch B2B journey (DOMAIN.md) on a gateway with the embedded
 * database, a month of simulated leads fed through @sopline/client, and the board it ends with.
 * Run: npx tsx examples/b2b-nurture/index.ts
 */
import { runMonth, type MonthOptions, type MonthResult } from "./month.js";
import { formatBoard } from "./print.js";

/**
 * Runs the month, prints the board, and returns what it printed and the numbers behind it.
 *
 * @example
 * const { result, output } = await main({ seed: 2026 });
 */
export async function main(options: MonthOptions = {}, print: (text: string) => void = console.log): Promise<{ result: MonthResult; output: string }> {
  const result = await runMonth(options);
  const output = formatBoard(result);
  print(output);
  return { result, output };
}
