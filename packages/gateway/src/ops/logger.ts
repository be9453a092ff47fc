// The gateway's structured logs: JSON lines through pino, level from LOG_LEVEL (default info).
// The components below the gateway (scheduler, database, channels) report through one-line
// callbacks; lineLogger turns such a callback into pino records of the right component and level.
import { Writable } from "node:stream";
import { type Logger, pino } from "pino";

export type { Logger } from "pino";

export interface LoggerOptions {
  /** A pino logger of the application (or `false`: no logs at all). */
  logger?: Logger | false | undefined;
  /** Compatibility: receives each log message as one line of text instead of JSON on stdout. */
  log?: ((message: string) => void) | undefined;
  /** Level when the gateway builds the logger (default: env LOG_LEVEL, else "info"). */
  level?: string | undefined;
}

/** The logger a gateway uses: the one given, or JSON lines on stdout, or lines to the `log` callback. */
export function createGatewayLogger(options: LoggerOptions = {}, env: NodeJS.ProcessEnv = process.env): Logger {
  if (options.logger) return options.logger;
  // Under test runners (NODE_ENV=test) only warnings and errors, so test output stays readable;
  // a `log` callback was asked for explicitly and keeps getting everything from info up.
  const level = options.level ?? env.LOG_LEVEL ?? (env.NODE_ENV === "test" && !options.log ? "warn" : "info");
  if (options.logger === false) return pino({ level: "silent" });
  const log = options.log;
  if (!log) return pino({ level, base: { name: "sopline" } });
  // The callback keeps receiving what it always did: the message text, one line per record.
  const toCallback = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line) continue;
        const record = JSON.parse(line) as { msg?: string; err?: { stack?: string } };
        log(record.err?.stack && !record.msg?.includes(record.err.stack) ? `${record.msg ?? ""} ${record.err.stack}` : (record.msg ?? ""));
      }
      done();
    },
  });
  return pino({ level }, toCallback);
}

const ERROR_WORDS = /\b(error|failed|fail|lost|unexpected|refused|terminated|timeout)\b/i;

/**
 * A `(message) => void` for a component that logs lines, tagged with the component: messages that
 * say they are errors at "error", "warning: …" at "warn", the rest at `level` (a worker's polling
 * callback only reports failed runs: pass "error").
 */
export function lineLogger(logger: Logger, component: string, level: "info" | "warn" | "error" = "info"): (message: string) => void {
  const child = logger.child({ component });
  return (message) => {
    if (/^warning\b/i.test(message)) child.warn(message);
    else if (ERROR_WORDS.test(message)) child.error(message);
    else child[level](message);
  };
}
