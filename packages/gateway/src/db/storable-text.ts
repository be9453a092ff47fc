// PostgreSQL cannot store every JavaScript string: text and jsonb refuse U+0000, and jsonb refuses
// an unpaired UTF-16 surrogate (text would silently turn it into U+FFFD, so two different ids could
// meet). Checked in JS before any SQL, so one bad value is a clear error naming its field instead
// of a failed statement that takes a whole batch with it.

const SUSPECT = /[\u0000\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why PostgreSQL cannot store `s` as text or inside jsonb, or null when it can.
 *
 * @example
 * unstorableText("a\u0000b"); // "contains a NUL character (\\u0000), which PostgreSQL cannot store"
 */
export function unstorableText(s: string): string | null {
  // One scan for the common case: no NUL and no surrogate at all.
  if (!SUSPECT.test(s)) return null;
  if (s.includes("\u0000")) return "contains a NUL character (\\u0000), which PostgreSQL cannot store";
  if (LONE_SURROGATE.test(s)) return "contains an unpaired UTF-16 surrogate, which is not valid Unicode";
  return null;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `.key` or `["odd key"]`, to name a place in a JSON value. */
export function jsonPathStep(key: string | number): string {
  return typeof key === "number" ? `[${key}]` : IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * The first place in a JSON value that jsonb cannot store (a key or string with NUL or a lone
 * surrogate, a number that is not finite) or that is nested deeper than `maxDepth`, as a path
 * relative to the value (e.g. `.a[2]`) and the reason; null when all of it can be stored.
 *
 * @example
 * unstorableJson({ a: ["x", "\u0000"] }, 32); // { path: ".a[1]", reason: "contains a NUL character …" }
 */
export function unstorableJson(value: unknown, maxDepth: number): { path: string; reason: string } | null {
  // The path is spelled out only for a value that fails: the walk collects its steps on the way back up.
  const steps: Array<string | number> = [];
  const walk = (v: unknown, depth: number): string | null => {
    if (typeof v === "string") return unstorableText(v);
    if (typeof v === "number") return Number.isFinite(v) ? null : `${v} is not a JSON number`;
    if (v === null || typeof v !== "object") return null;
    if (depth >= maxDepth) return `nested more than ${maxDepth} levels deep`;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const reason = walk(v[i], depth + 1);
        if (reason) return steps.push(i), reason;
      }
      return null;
    }
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      const keyReason = unstorableText(key);
      const reason = keyReason ? `the key ${keyReason}` : walk((v as Record<string, unknown>)[key], depth + 1);
      if (reason) return steps.push(key), reason;
    }
    return null;
  };
  const reason = walk(value, 0);
  return reason ? { path: steps.reverse().map(jsonPathStep).join(""), reason } : null;
}
