// Entry: npx tsx examples/mini-program/index.ts
import { main } from "./main.js";

await main();
