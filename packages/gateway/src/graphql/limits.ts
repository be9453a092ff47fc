// Input size limits. Every root field's arguments are checked before its resolver runs (see
// guard-plugin.ts); errors have code LIMIT and name the offending field.
import { unstorableText } from "../db/storable-text.js";
import { gatewayError, limitExceeded } from "./errors.js";

/** Largest accepted request body (HTTP and the webhook). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Default longest string in any argument. */
export const MAX_STRING = 2_000;
/** Default longest list in any argument (also the event batch size). */
export const MAX_LIST = 1_000;
/** Default size of all arguments of one field, serialized. */
export const MAX_ARGS_BYTES = 512 * 1024;
/** Events per ingestEvents batch / webhook call. */
export const MAX_EVENTS_PER_BATCH = 1_000;
/** Tasks returned by tasksSince at most. */
export const MAX_TASKS_SINCE = 500;
/** Page size of connections at most. */
export const MAX_PAGE = 200;

/** Per-field overrides, given as the field's `extensions.limits`. */
export interface FieldLimits {
  /** Longest string under an argument path prefix, e.g. { "input.body": 100_000 }. */
  strings?: Record<string, number>;
  /** Longest list under an argument path prefix. */
  lists?: Record<string, number>;
  /** Size of all arguments serialized. */
  argsBytes?: number;
  /**
   * Arguments whose items the resolver checks one by one for text PostgreSQL cannot store and dates
   * out of range (an event batch rejects the bad event, not the request); the rest are checked here.
   */
  checkedPerItem?: string[];
}

// ISO-8601's four-digit years: PostgreSQL stops at 4713 BC, JS dates go on to 271821 BC.
const MIN_DATE = Date.parse("0001-01-01T00:00:00Z");
const MAX_DATE = Date.parse("9999-12-31T23:59:59.999Z");

function limitFor(table: Record<string, number> | undefined, path: string, fallback: number): number {
  if (!table) return fallback;
  let best: number | undefined;
  let bestLength = -1;
  for (const [prefix, n] of Object.entries(table)) {
    const hit = path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
    if (hit && prefix.length > bestLength) {
      best = n;
      bestLength = prefix.length;
    }
  }
  return best ?? fallback;
}

/**
 * Throws a LIMIT error naming the first argument that is too large (the size of all arguments is
 * checked first), or a BAD_USER_INPUT error naming the first string PostgreSQL cannot store (NUL,
 * a lone surrogate) or date outside years 1–9999, outside `checkedPerItem`. One pass over the arguments: paths are spelled out only for a per-path limit or an
 * error, and the exact serialized size is computed only when an upper bound (a character escapes to
 * at most 6 bytes) exceeds the limit — an event batch is checked on every request.
 */
export function checkArgumentLimits(fieldName: string, args: Record<string, unknown>, limits: FieldLimits = {}): void {
  const argsBytes = limits.argsBytes ?? MAX_ARGS_BYTES;
  const path: Array<string | number> = [];
  const pathString = () => path.reduce<string>((s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${p}` : p), "");
  let first: Error | undefined;
  let bound = 0;
  let checkValues = true;
  const unusable = (message: string) => gatewayError("BAD_USER_INPUT", `${pathString()}: ${message}`, { field: pathString() });
  const walk = (value: unknown, depth: number): void => {
    if (depth > 40) {
      first ??= limitExceeded(pathString(), "nested more than 40 levels deep", 40);
      return;
    }
    if (typeof value === "string") {
      bound += 6 * value.length + 2;
      if (first) return;
      const max = limits.strings ? limitFor(limits.strings, pathString(), MAX_STRING) : MAX_STRING;
      if (value.length > max) first = limitExceeded(pathString(), `at most ${max} characters allowed, got ${value.length}`, max);
      else if (checkValues) {
        const reason = unstorableText(value);
        if (reason) first = unusable(reason);
      }
    } else if (Array.isArray(value)) {
      bound += 2 + value.length;
      if (!first) {
        const max = limits.lists ? limitFor(limits.lists, pathString(), MAX_LIST) : MAX_LIST;
        if (value.length > max) first = limitExceeded(pathString(), `at most ${max} items per request allowed, got ${value.length}; split it into smaller batches`, max);
      }
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        walk(value[i], depth + 1);
        path.pop();
      }
    } else if (value !== null && typeof value === "object" && !(value instanceof Date)) {
      bound += 2;
      for (const key of Object.keys(value)) {
        bound += 6 * key.length + 4;
        const reason = !first && checkValues ? unstorableText(key) : null;
        if (reason) first = unusable(`the key ${JSON.stringify(key)} ${reason}`);
        path.push(key);
        walk((value as Record<string, unknown>)[key], depth + 1);
        path.pop();
      }
    } else {
      bound += 32; // a number, boolean, null or date
      if (!first && checkValues && value instanceof Date && !(value.getTime() >= MIN_DATE && value.getTime() <= MAX_DATE)) {
        first = unusable(`expected a date between years 1 and 9999, got ${Number.isNaN(value.getTime()) ? "an invalid date" : value.toISOString()}`);
      }
    }
  };
  for (const name of Object.keys(args)) {
    bound += 6 * name.length + 4;
    checkValues = !limits.checkedPerItem?.includes(name);
    path.push(name);
    walk(args[name], 0);
    path.pop();
  }
  if (bound > argsBytes) {
    const size = Buffer.byteLength(JSON.stringify(args) ?? "", "utf8");
    if (size > argsBytes) throw limitExceeded(fieldName, `arguments are ${size} bytes, at most ${argsBytes} allowed`, argsBytes);
  }
  if (first) throw first;
}
