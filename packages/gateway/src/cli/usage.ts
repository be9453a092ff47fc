// `sopline --help`.
export const USAGE = `Usage: sopline <command> [options]

Server
  sopline serve [options]        the gateway on one port (GraphQL over HTTP and graphql-ws at /graphql)
    --port <n>                   port (env PORT, default 4000; 0 = any free port)
    --host <host>                interface to listen on (default all)
    --database-url <url>         postgres://… (env DATABASE_URL); default: embedded PGlite in --data-dir
    --data-dir <dir>             PGlite directory (default ./data/pglite)
    --redis-url <url>            redis://… for cross-instance subscriptions (env REDIS_URL)
    --admin-key <key>            API key of the first workspace (env SOPLINE_ADMIN_KEY; generated and printed when unset)
    --load-examples              load the example journeys, a content library, staff and segment rules
    --no-migrate                 apply no migrations; fail at start if any is pending (run sopline migrate first)
  sopline migrate [--database-url <url>] [--data-dir <dir>]
                                 apply pending migrations, print them and exit
  sopline keys rotate --workspace <id|name> [--database-url <url>] [--data-dir <dir>]
                                 a new API key for the workspace, printed once; the old key stops working at once

Journeys as code (JSON or YAML files, one journey definition each)
  sopline validate <files…>      every problem with its file and path; exit 1 on any
  sopline lint <files…> [--content <library.yaml>] [--strict]
                                 lint warnings; exit 1 with --strict when there is any
  sopline preview <file> [--tz <zone>] [--start <ISO time>] [--days 90] [--events <events.yaml>]
                                 one customer's simulated timeline as a table
  sopline push <files…> --url <gateway> --key <API key> [--migrate | --dry-run]
                                 publish to a running gateway; --dry-run shows what publishing would do to
                                 customers already in the journey, --migrate moves them to the new version
  sopline pull --url <gateway> --key <API key> [--out <dir>]
                                 the published journeys as YAML (one <id>.yaml per journey with --out)
    --url, --key default to the environment: SOPLINE_URL, SOPLINE_API_KEY

Channels (optional, environment, serve): WECOM_CORP_ID, WECOM_SECRET, WECOM_TOKEN, WECOM_AES_KEY
(callbacks on /wecom/callback, welcome messages, 群发助手, Moments), WECOM_DEFAULT_JOURNEY,
WECHAT_OA_APP_ID + WECHAT_OA_SECRET (official account), WECHAT_MP_APP_ID + WECHAT_MP_SECRET
(mini-program subscribe messages).
  -h, --help                     this help
`;
