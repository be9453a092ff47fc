// What every `sopline` subcommand shares: its signature, its error type and argument parsing
// that turns a wrong flag into a usage error (exit 2) instead of a stack trace.
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { CliIo } from "../server/cli.js";

/** A subcommand: the arguments after its name → the process exit code. */
export type Command = (args: string[], io: CliIo) => Promise<number>;

/** A failure the user can fix: printed as is (no stack), with its exit code (2: usage, 1: everything else). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** node:util parseArgs (strict, positionals allowed) with the command's name on every error. */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, args: string[], config: T): ReturnType<typeof parseArgs<T & { args: string[]; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ ...config, args, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`sopline ${command}: ${(err as Error).message} (see sopline --help)`, 2);
  }
}

/** Reads a flag that must be a positive integer, naming it when it is not. */
export function positiveInteger(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`${flag}: expected a positive whole number, got "${text}"`, 2);
  return n;
}
