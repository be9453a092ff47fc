// SIGTERM to a real `sopline serve` process with ingest requests in flight: they finish (or are
// refused whole with 503 + Retry-After), nothing is half applied, and the process exits 0.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/index.js";

const BIN = fileURLToPath(new URL("../../bin/sopline.js", import.meta.url));

/** This environment with a request logged per line, and no database or admin key given (a fresh embedded one). */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "debug", NODE_ENV: "development" };
  for (const name of ["DATABASE_URL", "SOPLINE_ADMIN_KEY", "REDIS_URL", "PORT"]) delete env[name];
  return env;
}

describe("sopline serve on SIGTERM", () => {
  it("finishes three 1,000-event ingestEvents requests in flight, applies each whole or not at all, and exits 0", { timeout: 40_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sopline-sigterm-"));
    const dataDir = path.join(dir, "db");
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", dataDir], {
      env: childEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const watchers: Array<() => void> = [];
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      watchers.splice(0).forEach((w) => w());
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => {
        resolve(code);
        watchers.splice(0).forEach((w) => w());
      }),
    );
    const until = async (test: () => boolean) => {
      while (!test()) {
        if (child.exitCode !== null) throw new Error(`sopline serve exited early:\n${stdout}\n${stderr}`);
        await new Promise<void>((resolve) => watchers.push(resolve));
      }
    };
    try {
      await until(() => /Use it as: Authorization: Bearer (sk_\S+)/.test(stdout));
      const url = /GraphiQL:\s+(\S+)/.exec(stdout)![1]!;
      const key = /Bearer (sk_\S+)/.exec(stdout)![1]!;
      const call = (query: string, variables: Record<string, unknown>) =>
        fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
      const journey = { id: "j", version: 1, timezone: "UTC", entry: "s", stages: [{ id: "s", sop: [{ id: "a", after: "1d", channel: "sms", content: "x" }] }] };
      await call(`mutation($d: JSON!) { upsertJourney(definition: $d) { created } }`, { d: journey });
      for (const c of ["a", "b", "c"]) await call(`mutation($c: String!) { enroll(customerExternalId: $c, journeyKey: "j") { created } }`, { c });

      const received = () => stdout.split("\n").filter((l) => l.includes('"msg":"request received"')).length;
      const before = received();
      const at = new Date().toISOString();
      const batch = (c: string) => Array.from({ length: 1_000 }, (_, i) => ({ id: `${c}-${i}`, customer: c, name: "link.clicked", at }));
      const inFlight = ["a", "b", "c"].map((c) => call(`mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }`, { e: batch(c) }).catch((err: Error) => err));
      await until(() => received() >= before + 3);
      child.kill("SIGTERM");
      const responses = await Promise.all(inFlight);
      expect(await exited).toBe(0);
      expect(stderr).toContain("SIGTERM: shutting down");

      const db = await openDatabase({ dataDir });
      try {
        for (const [i, res] of responses.entries()) {
          const c = ["a", "b", "c"][i]!;
          const [row] = await db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE event_id LIKE $1`, [`${c}-%`]);
          if (res instanceof Error) throw res;
          if (res.status === 200) {
            expect(await res.json()).toEqual({ data: { ingestEvents: { accepted: 1_000 } } });
            expect(Number(row!.n)).toBe(1_000);
          } else {
            expect([res.status, res.headers.get("retry-after")]).toEqual([503, "5"]);
            expect(Number(row!.n)).toBe(0);
          }
        }
      } finally {
        await db.close();
      }
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
