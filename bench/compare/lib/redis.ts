// Redis helpers: a per-run key prefix that is deleted at the end, and memory readings.

import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { onCleanup } from "./cleanup.js";

export function benchPrefix(): string {
  return `sopline-bench-${randomBytes(6).toString("hex")}`;
}

export function redisClient(url: string): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: false });
  onCleanup("quit redis", async () => {
    await r.quit().catch(() => r.disconnect());
  });
  return r;
}

/** Delete every key under prefix. Bounded: SCAN visits each key once, with a hard cap on rounds. */
export async function deletePrefix(r: Redis, prefix: string): Promise<number> {
  let cursor = "0";
  let deleted = 0;
  for (let round = 0; round < 1_000_000; round++) {
    const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 5000);
    if (keys.length > 0) deleted += await r.unlink(...keys);
    cursor = next;
    if (cursor === "0") break;
  }
  return deleted;
}

export async function usedMemory(r: Redis): Promise<number> {
  const info = await r.info("memory");
  const m = /^used_memory:(\d+)/m.exec(info);
  if (!m) throw new Error("INFO memory has no used_memory");
  return Number(m[1]);
}

export async function redisDurability(r: Redis): Promise<string> {
  const aof = (await r.config("GET", "appendonly")) as string[];
  const save = (await r.config("GET", "save")) as string[];
  const info = await r.info("server");
  const v = /^redis_version:(\S+)/m.exec(info)?.[1] ?? "?";
  return `appendonly=${aof[1]}, save="${save[1] ?? ""}" (Redis ${v})`;
}
