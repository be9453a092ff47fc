/**
 * Value rules of subscribe-message template keywords (`thing1`, `phrase3`, ...): the keyword's
 * type is its name without the trailing digits. WeChat rejects violations with 47003
 * "argument invalid! data.phrase10.value invalid", which does not say what the rule was; we check
 * first and name the field and the limit. Rules from the subscribeMessage.send documentation.
 */
import { invalidRequest } from "../errors.js";

/** `data` of a subscribe send: keyword → `{ value }`. */
export type SubscribeData = Readonly<Record<string, { value: string }>>;

// "Chinese characters" in the docs = characters of the Han script.
const HAN = /\p{Script=Han}/u;
const ALL_HAN = /^\p{Script=Han}+$/u;
const len = (s: string) => [...s].length;

interface Rule {
  /** Human description used in the error message. */
  describe: string;
  /** Returns a problem description, or undefined when valid. */
  check(value: string): string | undefined;
  limit?: number;
}

const maxLen = (n: number) => (v: string) => (len(v) > n ? `at most ${n} characters, got ${len(v)}` : undefined);

const RULES: Record<string, Rule> = {
  thing: { describe: "thing.* (any text)", limit: 20, check: maxLen(20) },
  number: {
    describe: "number.* (digits, optional decimals)",
    limit: 32,
    check: (v) => maxLen(32)(v) ?? (/^-?\d+(\.\d+)?$/.test(v) ? undefined : "only digits with optional decimals"),
  },
  letter: { describe: "letter.* (letters only)", limit: 32, check: (v) => maxLen(32)(v) ?? (/^[A-Za-z]+$/.test(v) ? undefined : "only letters") },
  symbol: {
    describe: "symbol.* (symbols only)",
    limit: 5,
    check: (v) => maxLen(5)(v) ?? (/[\p{L}\p{N}\s]/u.test(v) ? "only symbols" : undefined),
  },
  character_string: {
    describe: "character_string.* (digits, letters, symbols)",
    limit: 32,
    check: (v) => maxLen(32)(v) ?? (/^[\x21-\x7E]+$/.test(v) ? undefined : "only ASCII digits, letters or symbols"),
  },
  amount: {
    describe: "amount.* (one currency symbol + up to 10 digits, optional decimals, optional 元)",
    check: (v) => (/^[^\d\s.]?\d{1,10}(\.\d+)?元?$/u.test(v) ? undefined : "must be like ¥100.50 or 100元 (≤ 10 integer digits)"),
  },
  phone_number: {
    describe: "phone_number.* (digits and symbols)",
    limit: 17,
    check: (v) => maxLen(17)(v) ?? (/^[\d+\-()# *]+$/.test(v) ? undefined : "only digits and symbols such as + - ( )"),
  },
  car_number: {
    describe: "car_number.* (plate: first/last may be Han, rest letters/digits)",
    limit: 8,
    check: (v) => maxLen(8)(v) ?? (/^(\p{Script=Han}|[A-Za-z0-9])[A-Za-z0-9]*(\p{Script=Han}|[A-Za-z0-9])?$/u.test(v) ? undefined : "letters/digits, Han only first or last"),
  },
  name: {
    describe: "name.* (≤ 10 Han characters, or ≤ 20 letters)",
    limit: 10,
    check: (v) => {
      // Mixed Han + letters counts as a Chinese name: 10 characters.
      const cap = HAN.test(v) ? 10 : 20;
      return len(v) > cap ? `at most ${cap} characters${cap === 10 ? " when it contains Han characters" : ""}, got ${len(v)}` : undefined;
    },
  },
  phrase: {
    describe: "phrase.* (≤ 5 Han characters)",
    limit: 5,
    check: (v) => maxLen(5)(v) ?? (ALL_HAN.test(v) ? undefined : "only Han characters"),
  },
  // time/date: free-form "15:01" / "2019年10月1日 15:01" / ranges with ~; no length rule documented.
  time: { describe: "time.*", check: () => undefined },
  date: { describe: "date.*", check: () => undefined },
};

/** Keyword type of a data key: "thing12" → "thing", "character_string3" → "character_string". */
export function keywordType(key: string): string {
  return key.replace(/\d+$/, "");
}

/**
 * Validates every `data` value; throws ChannelError(invalid_request) naming `data.<key>.value`,
 * the rule and the limit. Unknown keyword types (enum, future ones) only need a non-empty value.
 */
export function validateSubscribeData(data: SubscribeData): void {
  const keys = Object.keys(data);
  if (keys.length === 0) throw invalidRequest("wechat", "data", "must contain at least one keyword");
  for (const key of keys) {
    const field = `data.${key}.value`;
    const value = data[key]?.value;
    if (typeof value !== "string" || value.trim() === "") throw invalidRequest("wechat", field, "is required (WeChat rejects empty values)");
    const rule = RULES[keywordType(key)];
    const problem = rule?.check(value);
    if (rule && problem !== undefined) throw invalidRequest("wechat", field, `${rule.describe}: ${problem}`, rule.limit);
  }
}
