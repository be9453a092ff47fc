/**
 * Writes src/generated/introspection.ts from the gateway's current schema.
 * Run: npx tsx packages/client/scripts/generate-schema.ts (or `npm run generate -w packages/client`).
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { getSchema } from "@sopline/gateway";
import { INTROSPECTION_PATH, renderIntrospection } from "./render-introspection.js";

const target = fileURLToPath(new URL(`../${INTROSPECTION_PATH}`, import.meta.url));
writeFileSync(target, renderIntrospection(getSchema()));
console.log(`wrote ${target}`);
