// Input size limits. Every root field's arguments are checked before its resolver runs (see
// guard-plugin.ts); errors have code LIMIT and name the offending field.
import { limitExceeded } from "./errors.js";

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
}

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

/** Throws a LIMIT error naming the first argument that is too large. */
export function checkArgumentLimits(fieldName: string, args: Record<string, unknown>, limits: FieldLimits = {}): void {
  const argsBytes = limits.argsBytes ?? MAX_ARGS_BYTES;
  const size = Buffer.byteLength(JSON.stringify(args) ?? "", "utf8");
  if (size > argsBytes) throw limitExceeded(fieldName, `arguments are ${size} bytes, at most ${argsBytes} allowed`, argsBytes);
  const walk = (value: unknown, path: string, depth: number): void => {
    if (depth > 40) throw limitExceeded(path, "nested more than 40 levels deep", 40);
    if (typeof value === "string") {
      const max = limitFor(limits.strings, path, MAX_STRING);
      if (value.length > max) throw limitExceeded(path, `at most ${max} characters allowed, got ${value.length}`, max);
    } else if (Array.isArray(value)) {
      const max = limitFor(limits.lists, path, MAX_LIST);
      if (value.length > max) throw limitExceeded(path, `at most ${max} items per request allowed, got ${value.length}; split it into smaller batches`, max);
      value.forEach((v, i) => walk(v, `${path}[${i}]`, depth + 1));
    } else if (value !== null && typeof value === "object" && !(value instanceof Date)) {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k, depth + 1);
    }
  };
  for (const [name, value] of Object.entries(args)) walk(value, name, 0);
}
