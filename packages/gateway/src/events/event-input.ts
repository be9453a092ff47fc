import { profileIssue } from "../engine/customer-profile.js";
import { unstorableJson, unstorableText } from "../db/storable-text.js";

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

export type CustomerIdKind = NonNullable<EventInput["customerIdKind"]>;

export const MAX_EVENT_ID = 200;
export const MAX_EVENT_NAME = 100;
export const MAX_DATA_BYTES = 16_384;
/** Deepest nesting inside an event's `data`. */
export const MAX_DATA_DEPTH = 32;
/** Events stamped further in the future than this are refused: they would fire steps early. */
export const FUTURE_SKEW_MS = 5 * 60_000;
/** Earliest accepted event time (1970-01-01): older is a unit mistake, and PostgreSQL stops at 4713 BC. */
export const MIN_EVENT_AT = 0;

const TEXT_FIELDS = ["id", "customer", "name"] as const;
/** Beyond ±8.64e15 ms a number is no date at all (new Date(1e20) is Invalid Date). */
const MAX_DATE_MS = 8.64e15;

// The webhook's JSON may spell the kind as the API does ("openid") or as the GraphQL enum ("OPENID").
const KINDS = new Map<string, CustomerIdKind>([["external", "external"], ["wecom", "wecom"], ["openid", "openid"], ["unionid", "unionid"]]);

/** An event that passed {@link checkEvent}: its time, its customer id kind and its data as JSON. */
export interface CheckedEvent {
  at: number;
  kind: CustomerIdKind;
  data: string;
}

/**
 * Checks one event in JS, before any SQL, so that whatever PostgreSQL or the core would refuse is
 * refused here for this event alone: returns what the ingest needs, or the reason, naming the field.
 */
export function checkEvent(e: EventInput, index: number, now: number): CheckedEvent | RejectedEvent {
  const id = typeof e?.id === "string" ? e.id : null;
  const bad = (code: RejectedEvent["code"], message: string): RejectedEvent => ({ index, id, code, message: `events[${index}]${message}` });
  if (!id || id.length > MAX_EVENT_ID) return bad("BAD_EVENT", `.id: expected a non-empty string of at most ${MAX_EVENT_ID} characters`);
  for (const field of TEXT_FIELDS) {
    const value = e[field];
    const reason = typeof value === "string" ? unstorableText(value) : null;
    if (reason) return bad("BAD_EVENT", `.${field}: ${reason}`);
  }
  if (typeof e.customer !== "string" || e.customer === "") return bad("BAD_EVENT", ".customer: expected the customer's id");
  if (typeof e.name !== "string" || e.name === "" || e.name.length > MAX_EVENT_NAME) return bad("BAD_EVENT", `.name: expected a non-empty string of at most ${MAX_EVENT_NAME} characters`);
  const kind = e.customerIdKind === undefined || e.customerIdKind === null ? "external" : typeof e.customerIdKind === "string" ? KINDS.get(e.customerIdKind.toLowerCase()) : undefined;
  if (!kind) return bad("BAD_EVENT", `.customerIdKind: expected one of ${[...KINDS.keys()].join(", ")} (or the GraphQL spelling, e.g. OPENID), got ${JSON.stringify(e.customerIdKind)}`);
  const at = e.at instanceof Date ? e.at.getTime() : typeof e.at === "number" ? e.at : typeof e.at === "string" ? Date.parse(e.at) : Number.NaN;
  if (!(Math.abs(at) <= MAX_DATE_MS)) return bad("BAD_EVENT", `.at: expected a Date, ISO-8601 string or epoch ms, got ${JSON.stringify(e.at)}`);
  if (at < MIN_EVENT_AT) return bad("BAD_EVENT", `.at: ${new Date(at).toISOString()} is before ${new Date(MIN_EVENT_AT).toISOString()}; send the time the event happened (epoch milliseconds, not seconds)`);
  if (at > now + FUTURE_SKEW_MS) return bad("FUTURE_EVENT", `.at: ${new Date(at).toISOString()} is in the future (now ${new Date(now).toISOString()})`);
  let data = "{}";
  if (e.data !== undefined) {
    const unstorable = unstorableJson(e.data, MAX_DATA_DEPTH);
    if (unstorable) return bad("BAD_EVENT", `.data${unstorable.path}: ${unstorable.reason}`);
    try {
      data = JSON.stringify(e.data);
    } catch (err) {
      return bad("BAD_EVENT", `.data: not JSON (${(err as Error).message})`);
    }
    if (data.length > MAX_DATA_BYTES) return bad("BAD_EVENT", `.data: larger than ${MAX_DATA_BYTES} bytes`);
  }
  const profile = profileIssue(e.profile);
  if (profile) return bad("BAD_EVENT", `.profile${profile.path}: ${profile.message}`);
  return { at, kind, data };
}
