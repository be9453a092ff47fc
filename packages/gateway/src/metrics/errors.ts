/** A metrics request the caller must change: `code` says how (the GraphQL layer keeps it). */
export class MetricsInputError extends Error {
  constructor(
    readonly code: "LIMIT" | "BAD_USER_INPUT",
    readonly field: string,
    message: string,
    readonly limit?: number,
  ) {
    super(`${field}: ${message}`);
    this.name = "MetricsInputError";
  }
}
