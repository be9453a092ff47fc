import { defineConfig } from "tsup";
import base from "../../tsup.config.js";

// The root config, with three entries: the main client, the mini-program entry, and the testing
// fake (which imports `ws`, so it must never be reached from the other two).
export default defineConfig({
  ...base,
  entry: { index: "src/index.ts", wx: "src/wx.ts", testing: "src/testing/index.ts" },
  external: ["ws"],
});
