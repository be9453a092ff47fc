/** One behaviour event as callers send it (GraphQL batch mutation or the HTTP webhook). */
export interface EventInput {
  /** The caller's id for the event: a retry with the same id is recorded once. */
  id: string;
  /** The customer's external id (or, with `customerIdKind`, their WeCom / official-account identity). */
  customer: string;
  customerIdKind?: "external" | "wecom" | "openid" | "unionid";
  name: string;
  at: string | number | Date;
  data?: unknown;
  /** Profile for a customer created on first sight (workspaces that create unknown customers). */
  profile?: { name?: string; timezone?: string; birthday?: string; attributes?: Record<string, unknown> };
}

export type EventErrorCode = "BAD_EVENT" | "UNKNOWN_CUSTOMER" | "FUTURE_EVENT" | "NO_JOURNEY";

export interface RejectedEvent {
  index: number;
  id: string | null;
  code: EventErrorCode;
  message: string;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: RejectedEvent[];
}

export const MAX_EVENT_ID = 200;
export const MAX_EVENT_NAME = 100;
export const MAX_DATA_BYTES = 16_384;
/** Events stamped further in the future than this are refused: they would fire steps early. */
export const FUTURE_SKEW_MS = 5 * 60_000;

/** Checks one event; returns its time in ms or the reason it is refused, naming the field. */
export function checkEvent(e: EventInput, index: number, now: number): number | RejectedEvent {
  const id = typeof e?.id === "string" ? e.id : null;
  const bad = (code: RejectedEvent["code"], message: string): RejectedEvent => ({ index, id, code, message: `events[${index}]${message}` });
  if (!id || id.length > MAX_EVENT_ID) return bad("BAD_EVENT", `.id: expected a non-empty string of at most ${MAX_EVENT_ID} characters`);
  if (typeof e.customer !== "string" || e.customer === "") return bad("BAD_EVENT", ".customer: expected the customer's id");
  if (typeof e.name !== "string" || e.name === "" || e.name.length > MAX_EVENT_NAME) return bad("BAD_EVENT", `.name: expected a non-empty string of at most ${MAX_EVENT_NAME} characters`);
  const at = e.at instanceof Date ? e.at.getTime() : typeof e.at === "number" ? e.at : Date.parse(String(e.at));
  if (!Number.isFinite(at)) return bad("BAD_EVENT", `.at: expected a Date, ISO-8601 string or epoch ms, got ${JSON.stringify(e.at)}`);
  if (at > now + FUTURE_SKEW_MS) return bad("FUTURE_EVENT", `.at: ${new Date(at).toISOString()} is in the future (now ${new Date(now).toISOString()})`);
  if (e.data !== undefined && JSON.stringify(e.data).length > MAX_DATA_BYTES) return bad("BAD_EVENT", `.data: larger than ${MAX_DATA_BYTES} bytes`);
  return at;
}
