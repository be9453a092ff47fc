import { JourneyInputError } from "./errors.js";
import { type Instant, toMillis } from "./time.js";

/** Who enters a journey. Only `id` is required; the journey's time zone is the default. */
export interface Customer {
  id: string;
  /** IANA time zone of the customer; steps follow their own wall clock. */
  timezone?: string;
  /** "MM-DD" or "YYYY-MM-DD", for birthday steps. */
  birthday?: string;
  attributes?: Record<string, unknown>;
  /** The staff member who owns the customer; task steps are assigned to them. */
  assignee?: string;
}

/** What advance() accepts. */
export type JourneyInput =
  | { type: "tick"; at: Instant }
  | { type: "event"; id: string; name: string; at: Instant; data?: unknown }
  | { type: "move"; to: string; at: Instant; by?: string }
  | { type: "assign"; assignee: string | null; at: Instant; by?: string };

const BIRTHDAY = /^(?:\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Normalises a birthday to "MM-DD", naming the field when it is not a date. */
export function birthdayOf(value: unknown): string {
  const m = typeof value === "string" ? BIRTHDAY.exec(value) : null;
  if (!m) throw new JourneyInputError(`customer.birthday: expected "MM-DD" or "YYYY-MM-DD", got ${JSON.stringify(value)}`);
  return `${m[1]}-${m[2]}`;
}

/** Checks an input's shape and returns its instant in ms. */
export function checkInput(input: JourneyInput): number {
  if (!input || typeof input !== "object") throw new JourneyInputError(`input: expected an object like { type: "tick", at }, got ${JSON.stringify(input)}`);
  // Epoch ms need no conversion (the field name for errors is built only when needed).
  const at = typeof input.at === "number" && Number.isFinite(input.at) ? input.at : toMillis(input.at, `input.at (${String(input.type)})`);
  switch (input.type) {
    case "tick":
      return at;
    case "event":
      if (typeof input.name !== "string" || input.name === "") throw new JourneyInputError(`input.name: an event needs a name, got ${JSON.stringify(input.name)}`);
      if (typeof input.id !== "string" || input.id === "") throw new JourneyInputError(`input.id: an event needs an id (used for deduplication), got ${JSON.stringify(input.id)}`);
      return at;
    case "move":
      if (typeof input.to !== "string") throw new JourneyInputError(`input.to: a move needs a stage id, got ${JSON.stringify(input.to)}`);
      return at;
    case "assign":
      if (input.assignee !== null && typeof input.assignee !== "string") throw new JourneyInputError(`input.assignee: expected a staff id or null, got ${JSON.stringify(input.assignee)}`);
      return at;
    default:
      throw new JourneyInputError(`input.type: expected "tick", "event", "move" or "assign", got ${JSON.stringify((input as { type: unknown }).type)}`);
  }
}
