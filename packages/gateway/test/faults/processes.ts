// Child processes for the fault tests: gateways (gateway-process.ts) and a private redis-server.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("./gateway-process.ts", import.meta.url));

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Collects a stream's lines and lets a test wait for one that matches. */
function lines(stream: NodeJS.ReadableStream) {
  let text = "";
  const waiters = new Set<() => void>();
  stream.on("data", (d: Buffer) => {
    text += d.toString();
    for (const w of waiters) w();
  });
  return {
    get text() {
      return text;
    },
    count: (pattern: RegExp) => text.split("\n").filter((l) => pattern.test(l)).length,
    /** Resolves with the first match of `pattern` past `from` characters; rejects after timeoutMs. */
    waitFor(pattern: RegExp, timeoutMs = 20_000, from = 0): Promise<RegExpMatchArray> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = text.slice(from).match(pattern);
          if (!m) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; got:\n${text.slice(-2_000)}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
  };
}

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  stdout: ReturnType<typeof lines>;
  stderr: ReturnType<typeof lines>;
  /** True while the process runs. */
  alive(): boolean;
  setClock(at: Date): Promise<void>;
  stop(): Promise<void>;
}

export async function startGateway(env: { DATABASE_URL: string; REDIS_URL?: string; SOPLINE_ADMIN_KEY: string; CLOCK: Date }): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    env: { ...process.env, ...env, CLOCK: env.CLOCK.toISOString(), REDIS_URL: env.REDIS_URL ?? "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const stdout = lines(child.stdout!);
  const stderr = lines(child.stderr!);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  const ready = await Promise.race([
    stdout.waitFor(/ready (\S+)/, 60_000),
    exit.then(() => {
      throw new Error(`gateway process exited before it was ready:\n${stderr.text}`);
    }),
  ]);
  return {
    url: ready[1]!,
    child,
    stdout,
    stderr,
    alive: () => !exited,
    async setClock(at) {
      const from = stdout.text.length;
      child.stdin!.write(`clock ${at.toISOString()}\n`);
      await stdout.waitFor(new RegExp(`clock ${at.toISOString()}`), 10_000, from);
    },
    async stop() {
      if (exited) return;
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

export interface RedisProcess {
  url: string;
  port: number;
  /** SIGKILL: the outage is abrupt, as a crashed or partitioned Redis is. */
  kill(): Promise<void>;
}

/** A private redis-server (never the shared one on 6379), on `port` or a free one. */
export async function startRedis(port?: number): Promise<RedisProcess> {
  const p = port ?? (await freePort());
  const child = spawn("redis-server", ["--port", String(p), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  const out = lines(child.stdout!);
  await out.waitFor(/Ready to accept connections/, 10_000);
  const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    async kill() {
      child.kill("SIGKILL");
      await exit;
    },
  };
}
