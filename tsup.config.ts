import { defineConfig } from "tsup";

// One config for every package: each builds src/index.ts to ESM + CJS with .d.ts,
// keeping its dependencies external (they are installed beside it).
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  outDir: "dist",
});
