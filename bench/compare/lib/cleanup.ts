// Cleanup that runs on normal exit AND on SIGTERM/SIGINT, so a killed child
// still drops its database, Redis keys and temp dir.

type Task = { name: string; fn: () => Promise<unknown> };
const tasks: Task[] = [];
let running: Promise<void> | null = null;

/** Register a cleanup; tasks run last-registered first (close clients before dropping the db). */
export function onCleanup(name: string, fn: () => Promise<unknown>): void {
  tasks.push({ name, fn });
}

export function runCleanup(timeoutMs = 20_000): Promise<void> {
  running ??= (async () => {
    while (tasks.length > 0) {
      const t = tasks.pop()!;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          t.fn(),
          new Promise((_, rej) => {
            timer = setTimeout(() => rej(new Error("timed out")), timeoutMs);
          }),
        ]);
      } catch (e) {
        console.error(`[cleanup] ${t.name}: ${(e as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
  })();
  return running;
}

// `on`, not `once`: a second signal (terminal SIGINT plus the parent's SIGTERM) must not
// take the default action and kill the process halfway through its cleanup.
let signalled = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (signalled) return;
    signalled = true;
    console.error(`[cleanup] ${sig}: cleaning up`);
    void runCleanup().finally(() => process.exit(130));
  });
}
