// `sopline serve`: the gateway on one port (GraphQL over HTTP and graphql-ws at /graphql).
// Flags override the environment: --port (PORT, 4000), --database-url (DATABASE_URL),
// --redis-url (REDIS_URL), --admin-key (SOPLINE_ADMIN_KEY), --data-dir, --load-examples.
import { parseArgs } from "node:util";
import { channelOptionsFromEnv } from "./channel-env.js";
import { createGateway } from "./create-gateway.js";

const USAGE = `Usage: sopline serve [options]

  --port <n>            port (env PORT, default 4000; 0 = any free port)
  --host <host>         interface to listen on (default all)
  --database-url <url>  postgres://… (env DATABASE_URL); default: embedded PGlite in --data-dir
  --data-dir <dir>      PGlite directory (default ./data/pglite)
  --redis-url <url>     redis://… for cross-instance subscriptions (env REDIS_URL)
  --admin-key <key>     API key of the first workspace (env SOPLINE_ADMIN_KEY; generated and printed when unset)
  --load-examples       load the example journeys, a content library, staff and segment rules

Channels (optional, environment): WECOM_CORP_ID, WECOM_SECRET, WECOM_TOKEN, WECOM_AES_KEY
(callbacks on /wecom/callback, welcome messages, 群发助手, Moments), WECOM_DEFAULT_JOURNEY,
WECHAT_OA_APP_ID + WECHAT_OA_SECRET (official account), WECHAT_MP_APP_ID + WECHAT_MP_SECRET
(mini-program subscribe messages).
  -h, --help            this help
`;

export interface CliIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Registers shutdown signals (default: SIGINT/SIGTERM on process). */
  onSignal?: (handler: (signal: string) => void) => void;
  /** Ends the process once a signal's graceful stop is done (default: process.exit). */
  exit?: (code: number) => void;
}

/** Runs the CLI; resolves with the running gateway (serve) or an exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number | { stop(): Promise<void>; url: string }> {
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
