import { unstorableJson, unstorableText } from "../db/storable-text.js";
import { isTimeZone } from "../graphql/services/board.js";

/** A customer's profile as `enroll` and event ingestion (first sight of a customer) take it. */
export interface CustomerProfile {
  name?: string | null;
  timezone?: string | null;
  birthday?: string | null;
  attributes?: unknown;
  wecomExternalUserId?: string | null;
  oaOpenId?: string | null;
  unionId?: string | null;
}

// As the core reads birthdays (a real month and day), so a bad one is refused here and not when
// the core enrolls the customer, halfway through a transaction.
const BIRTHDAY = /^(?:\d{4}-)?(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/;
const TEXT_FIELDS = ["name", "timezone", "birthday", "wecomExternalUserId", "oaOpenId", "unionId"] as const;
const MAX_ATTRIBUTE_DEPTH = 32;

/**
 * The first problem with a profile, with its path relative to the profile (the caller puts where
 * the profile sits in front, e.g. `profile` or `events[3].profile`), or null. Null and absent
 * fields are fine: they leave the stored value as it is.
 *
 * @example
 * profileIssue({ timezone: "Mars/Base" }); // { path: ".timezone", message: '"Mars/Base" is not an IANA time zone' }
 */
export function profileIssue(profile: unknown): { path: string; message: string } | null {
  if (profile === null || profile === undefined) return null;
  if (typeof profile !== "object" || Array.isArray(profile)) return { path: "", message: "expected an object like { name, timezone, birthday, attributes }" };
  const p = profile as Record<string, unknown>;
  for (const field of TEXT_FIELDS) {
    const value = p[field];
    if (value === null || value === undefined) continue;
    if (typeof value !== "string") return { path: `.${field}`, message: `expected a string, got ${JSON.stringify(value)}` };
    const reason = unstorableText(value);
    if (reason) return { path: `.${field}`, message: reason };
  }
  if (typeof p.timezone === "string" && p.timezone !== "" && !isTimeZone(p.timezone)) return { path: ".timezone", message: `"${p.timezone}" is not an IANA time zone` };
  if (typeof p.birthday === "string" && p.birthday !== "" && !BIRTHDAY.test(p.birthday)) return { path: ".birthday", message: `expected "MM-DD" or "YYYY-MM-DD", got "${p.birthday}"` };
  if (p.attributes !== undefined && p.attributes !== null) {
    if (typeof p.attributes !== "object" || Array.isArray(p.attributes)) return { path: ".attributes", message: "expected a JSON object" };
    const bad = unstorableJson(p.attributes, MAX_ATTRIBUTE_DEPTH);
    if (bad) return { path: `.attributes${bad.path}`, message: bad.reason };
  }
  return null;
}
