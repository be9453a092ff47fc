/** A refused operation on live SOPs; `code` becomes the GraphQL error code (see graphql/errors.ts translateError). */
export class LiveSopError extends Error {
  constructor(
    readonly code: "NOT_FOUND" | "BAD_USER_INPUT",
    message: string,
  ) {
    super(message);
    this.name = "LiveSopError";
  }
}
