// The machine line printed with every result: numbers mean little without it.

import { readFileSync } from "node:fs";
import os from "node:os";
import pg from "pg";
import { Redis } from "ioredis";

export interface Machine {
  cpu: string;
  cores: number;
  ramGb: number;
  node: string;
  postgres: string;
  redis: string;
  date: string;
  /** Load averages (1/5/15 min) when the run started: a busy shared machine explains outliers. */
  load: string;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) return m[1]!.trim();
  } catch {
    // not Linux: fall through to os.cpus()
  }
  return os.cpus()[0]?.model ?? "unknown";
}

async function postgresVersion(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    return String((await c.query("SHOW server_version")).rows[0].server_version).split(" ")[0]!;
  } catch (e) {
    return `unreachable (${(e as Error).message})`;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function redisVersion(url: string): Promise<string> {
  const r = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await r.connect();
    const info = await r.info("server");
    const v = /^redis_version:(\S+)/m.exec(info)?.[1] ?? "?";
    const aof = ((await r.config("GET", "appendonly")) as string[])[1];
    return `${v} (appendonly=${aof})`;
  } catch (e) {
    return `unreachable (${(e as Error).message})`;
  } finally {
    r.disconnect();
  }
}

export async function describeMachine(pgUrl: string, redisUrl: string): Promise<Machine> {
  return {
    cpu: cpuModel(),
    cores: os.cpus().length,
    ramGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: await postgresVersion(pgUrl),
    redis: await redisVersion(redisUrl),
    date: new Date().toISOString(),
    load: os.loadavg().map((x) => x.toFixed(2)).join(" / "),
  };
}
