// The one copy of graphql-js at run time. graphql 16 ships CommonJS (main) and ESM (module) builds
// without an exports map: Node, yoga and Pothos load the CommonJS one, while Vite-based tools
// (vitest) would hand our own modules the ESM one — two realms, and `instanceof GraphQLError`
// or printSchema across them fail. Requiring it here pins every caller to the CommonJS build.
import { createRequire } from "node:module";

const graphql = createRequire(import.meta.url)("graphql") as typeof import("graphql");

export const { GraphQLError, Kind, printSchema } = graphql;
