// The `sopline` command: `serve` here; the other commands live in src/cli/, one file each.
// serve's flags override the environment: --port (PORT, 4000), --database-url (DATABASE_URL),
// --redis-url (REDIS_URL), --admin-key (SOPLINE_ADMIN_KEY), --data-dir, --load-examples, --no-migrate.
import { parseArgs } from "node:util";
import { CliError, type Command } from "../cli/command.js";
import { keysCommand } from "../cli/keys-command.js";
import { lintCommand } from "../cli/lint-command.js";
import { migrateCommand } from "../cli/migrate-command.js";
import { previewCommand } from "../cli/preview-command.js";
import { pullCommand } from "../cli/pull-command.js";
import { pushCommand } from "../cli/push-command.js";
import { USAGE } from "../cli/usage.js";
import { validateCommand } from "../cli/validate-command.js";
import { DirectoryLockedError, MigrationError } from "../db/index.js";
import { channelOptionsFromEnv } from "./channel-env.js";
import { createGateway } from "./create-gateway.js";

export interface CliIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Registers shutdown signals (default: SIGINT/SIGTERM on process). */
  onSignal?: (handler: (signal: string) => void) => void;
  /** Ends the process once a signal's graceful stop is done (default: process.exit). */
  exit?: (code: number) => void;
}

const COMMANDS: Record<string, Command> = {
  migrate: migrateCommand,
  keys: keysCommand,
  validate: validateCommand,
  lint: lintCommand,
  preview: previewCommand,
  push: pushCommand,
  pull: pullCommand,
};

/** Runs the CLI; resolves with the running gateway (serve) or an exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number | { stop(): Promise<void>; url: string }> {
  const command = argv[0] !== undefined && Object.hasOwn(COMMANDS, argv[0]) ? COMMANDS[argv[0]]! : undefined;
  if (command) {
    if (argv.includes("--help") || argv.includes("-h")) {
      io.out(USAGE);
      return 0;
    }
    return runCommand(command, argv.slice(1), io);
  }
  try {
    return await serve(argv, io);
  } catch (err) {
    if (!(err instanceof MigrationError || err instanceof DirectoryLockedError)) throw err;
    io.err(err.message);
    return 1;
  }
}

/** Problems the user can act on print as one message and an exit code; anything else is a bug and keeps its stack. */
async function runCommand(command: Command, args: string[], io: CliIo): Promise<number> {
  try {
    return await command(args, io);
  } catch (err) {
    if (!(err instanceof CliError || err instanceof MigrationError || err instanceof DirectoryLockedError)) throw err;
    io.err(err.message);
    return err instanceof CliError ? err.exitCode : 1;
  }
}

async function serve(argv: string[], io: CliIo): Promise<number | { stop(): Promise<void>; url: string }> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "database-url": { type: "string" },
        "data-dir": { type: "string" },
        "redis-url": { type: "string" },
        "admin-key": { type: "string" },
        "load-examples": { type: "boolean", default: false },
        "no-migrate": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals[0] !== "serve") {
    io.err(positionals[0] ? `Unknown command "${positionals[0]}".\n\n${USAGE}` : USAGE);
    return 2;
  }
  const portText = values.port ?? io.env.PORT ?? "4000";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    io.err(`--port: expected 0…65535, got "${portText}"`);
    return 2;
  }
  let channels;
  try {
    channels = channelOptionsFromEnv(io.env);
  } catch (err) {
    io.err((err as Error).message);
    return 2;
  }
  const gateway = await createGateway({
    ...channels,
    databaseUrl: values["database-url"] ?? io.env.DATABASE_URL ?? undefined,
    dataDir: values["data-dir"],
    redisUrl: values["redis-url"] ?? io.env.REDIS_URL ?? undefined,
    adminKey: values["admin-key"] ?? io.env.SOPLINE_ADMIN_KEY ?? undefined,
    migrate: !values["no-migrate"],
  });
  let gatewayUrl = "";
  try {
    if (values["load-examples"]) {
      const { loadExamples } = await import("./examples.js");
      const loaded = await loadExamples(gateway.db, gateway.registry, gateway.workspaceId, new Date());
      io.out(`Loaded ${loaded.journeys.length} example journeys (${loaded.journeys.map((j) => `${j.key}@${j.version}`).join(", ")}), ${loaded.contents} content entries, ${loaded.staff.length} staff members.`);
    }
    const { url } = await gateway.start(port, values.host);
    gatewayUrl = url;
    io.out(`sopline gateway on ${gateway.db.kind === "pglite" ? `embedded PGlite (${gateway.db.dataDir})` : "PostgreSQL"}`);
    io.out(`GraphiQL:      ${url}`);
    io.out(`Subscriptions: ${url.replace(/^http/, "ws")} (graphql-ws)`);
    io.out(`Webhook:       ${url.replace(/\/graphql$/, "/webhooks/events")}`);
    if (gateway.adminKey && gateway.adminKeyGenerated) {
      io.out(`Admin API key of workspace "default" (shown once, only its hash is stored):\n  ${gateway.adminKey}`);
      io.out(`Use it as: Authorization: Bearer ${gateway.adminKey}`);
    }
  } catch (err) {
    await gateway.stop();
    throw err;
  }
  let stopping = false;
  io.onSignal?.((signal) => {
    if (stopping) return;
    stopping = true;
    io.err(`${signal}: shutting down…`);
    gateway.stop().then(
      () => {
        io.err("stopped");
        io.exit?.(0);
      },
      (err: unknown) => {
        io.err(`shutdown failed: ${(err as Error).message}`);
        io.exit?.(1);
      },
    );
  });
  return { stop: () => gateway.stop(), url: gatewayUrl };
}

function defaultIo(): CliIo {
  return {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    onSignal: (handler) => {
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => handler(signal));
    },
    exit: (code) => process.exit(code),
  };
}

// Run directly: tsx packages/gateway/src/server/cli.ts serve --load-examples
const invoked = process.argv[1] ?? "";
if (/server[\\/]cli\.[cm]?[jt]s$/.test(invoked)) {
  main(process.argv.slice(2)).then(
    (result) => {
      if (typeof result === "number") process.exitCode = result;
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
