// Entry: npx tsx examples/b2b-nurture/index.ts
import { main } from "./main.js";

await main();
