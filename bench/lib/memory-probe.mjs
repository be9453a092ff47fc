// Preloaded into the measured gateway (`node --import …/memory-probe.mjs`): answers "memory" on the
// IPC channel with process.memoryUsage() and V8's heap spaces, so the benchmark can say where the
// resident memory goes. It keeps nothing alive and changes nothing else.
import v8 from "node:v8";

if (process.send) {
  process.channel?.unref();
  process.on("message", (message) => {
    if (message !== "memory") return;
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size]));
    process.send({ usage: process.memoryUsage(), spaces });
  });
}
