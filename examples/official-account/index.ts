// Entry: npx tsx examples/official-account/index.ts
import { main } from "./main.js";

await main();
