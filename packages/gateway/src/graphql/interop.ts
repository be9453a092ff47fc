/**
 * The default export of a package that ships CommonJS with `exports.default` (Pothos). Native ESM
 * and vitest hand over the value itself; the CommonJS build of this package (tsup, "type": "module"
 * → Node semantics) hands over the whole `module.exports`. Works for both.
 */
export function interopDefault<T>(imported: T): T {
  return (imported as { default?: T } | null | undefined)?.default ?? imported;
}
