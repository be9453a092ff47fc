/** Every operation the typed client sends, as gql.tada documents, with the types derived from them. */
export * from "./board.js";
export * from "./content.js";
export * from "./customers.js";
export * from "./events.js";
export * from "./journeys.js";
export * from "./live-sops.js";
export * from "./staff.js";
export * from "./tasks.js";
