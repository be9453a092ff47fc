import { z } from "zod";

// Conditions on an event's data for tag rules, event transitions and waits:
// `where: { "data.seconds": { gte: 60 }, "data.content": "case-1" }` — every field must match.
// Hand-checked (not a zod union) so a wrong operand is reported at its own path
// (`where["data.seconds"].gte: must be a number`) instead of zod's "Invalid input" for the union.

/** A value an event's data field is compared with. */
export type WhereScalar = string | number | boolean | null;

/** Operators on one field; a bare value means `eq`. */
export interface WhereOperators {
  eq?: WhereScalar;
  ne?: WhereScalar;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  in?: WhereScalar[];
  exists?: boolean;
}

/** Field path (`"data.seconds"`, `"data.page.id"`) → a bare value (equals) or operators. All must hold. */
export type WhereDefinition = Record<string, WhereScalar | WhereOperators>;

/** The operators `where` understands. */
export const WHERE_OPERATORS = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "exists"] as const;

const NUMERIC = new Set(["gt", "gte", "lt", "lte"]);
const FIELD = /^data(\.[^.]+)+$/;

const isScalar = (v: unknown): v is WhereScalar => v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));

/** Every problem of a `where`, as (path below `where`, message). */
export function whereProblems(where: unknown): Array<{ path: string[]; message: string }> {
  const problems: Array<{ path: string[]; message: string }> = [];
  if (!where || typeof where !== "object" || Array.isArray(where)) {
    return [{ path: [], message: `expected an object of data fields, e.g. { "data.seconds": { gte: 60 } }, got ${JSON.stringify(where)}` }];
  }
  const fields = Object.entries(where as Record<string, unknown>);
  if (fields.length === 0) problems.push({ path: [], message: 'expected at least one field, e.g. { "data.seconds": { gte: 60 } }' });
  for (const [field, condition] of fields) {
    if (!FIELD.test(field)) {
      problems.push({ path: [field], message: `fields are read from the event's data: expected "data.<name>" (e.g. "data.seconds"), got ${JSON.stringify(field)}` });
    }
    if (isScalar(condition)) continue;
    if (!condition || typeof condition !== "object" || Array.isArray(condition)) {
      problems.push({ path: [field], message: `expected a value to equal or operators (${WHERE_OPERATORS.join(", ")}), got ${JSON.stringify(condition)}` });
      continue;
    }
    const ops = Object.entries(condition as Record<string, unknown>);
    if (ops.length === 0) problems.push({ path: [field], message: `expected at least one operator of ${WHERE_OPERATORS.join(", ")}` });
    for (const [op, operand] of ops) {
      const at = [field, op];
      if (!(WHERE_OPERATORS as readonly string[]).includes(op)) problems.push({ path: at, message: `unknown operator; expected one of ${WHERE_OPERATORS.join(", ")}` });
      else if (NUMERIC.has(op)) {
        if (typeof operand !== "number" || !Number.isFinite(operand)) problems.push({ path: at, message: `must be a number, got ${JSON.stringify(operand)}` });
      } else if (op === "in") {
        if (!Array.isArray(operand) || operand.length === 0 || !operand.every(isScalar)) {
          problems.push({ path: at, message: `must be a non-empty list of values (strings, numbers, booleans, null), got ${JSON.stringify(operand)}` });
        }
      } else if (op === "exists") {
        if (typeof operand !== "boolean") problems.push({ path: at, message: `must be true or false, got ${JSON.stringify(operand)}` });
      } else if (!isScalar(operand)) {
        problems.push({ path: at, message: `must be a string, number, boolean or null, got ${JSON.stringify(operand)}` });
      }
    }
  }
  return problems;
}

const scalarJson = z.union([z.string(), z.number(), z.boolean(), z.null()]);
// Only for the JSON Schema export: validation is whereProblems().
const whereShape = z.record(
  z.string().regex(FIELD),
  z.union([
    scalarJson,
    z.strictObject({
      eq: scalarJson.optional(),
      ne: scalarJson.optional(),
      gt: z.number().optional(),
      gte: z.number().optional(),
      lt: z.number().optional(),
      lte: z.number().optional(),
      in: z.array(scalarJson).min(1).optional(),
      exists: z.boolean().optional(),
    }),
  ]),
);

const WHERE_DESCRIPTION =
  'Conditions on the event\'s data, all of which must hold: "data.<field>" → a value it equals, or operators eq, ne, gt, gte, lt, lte (numbers), in (a list), exists (true/false); e.g. { "data.seconds": { gte: 60 }, "data.content": "case-1" }';

/** The `where` field of tag rules, event transitions and waits. */
export const whereSchema = z
  .custom<WhereDefinition>(() => true)
  .superRefine((value, ctx) => {
    for (const p of whereProblems(value)) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
  })
  .describe(WHERE_DESCRIPTION);

/** JSON Schema of `where` (journeyJsonSchema puts it in place of the custom check). */
export function whereJsonSchema(): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(whereShape, { io: "input" }) as Record<string, unknown>;
  return { ...rest, description: WHERE_DESCRIPTION };
}

/** A compiled `where`: true when the event's data satisfies every condition. */
export type DataTest = (data: unknown) => boolean;

/** Compiles a valid `where` into a test of an event's data (paths split once, here). */
export function compileWhere(where: WhereDefinition): DataTest {
  const tests = Object.entries(where).map(([field, condition]) => {
    const path = field.split(".").slice(1);
    const test = compileCondition(condition);
    return (data: unknown) => test(read(data, path));
  });
  return (data) => {
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(data)) return false;
    return true;
  };
}

/** The value at `path` in `data` (undefined when any step is missing or not an object). */
function read(data: unknown, path: readonly string[]): unknown {
  let v = data;
  for (let i = 0; i < path.length; i++) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    const key = path[i]!;
    if (!Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function compileCondition(condition: WhereScalar | WhereOperators): (value: unknown) => boolean {
  if (isScalar(condition)) return (v) => v === condition;
  const checks: Array<(v: unknown) => boolean> = [];
  const c = condition;
  if ("eq" in c) checks.push((v) => v === c.eq);
  if ("ne" in c) checks.push((v) => v !== c.ne);
  // Comparisons hold for numbers only: "60" (a string) is not ≥ 60, a missing field is not < 10.
  if (c.gt !== undefined) checks.push((v) => typeof v === "number" && v > c.gt!);
  if (c.gte !== undefined) checks.push((v) => typeof v === "number" && v >= c.gte!);
  if (c.lt !== undefined) checks.push((v) => typeof v === "number" && v < c.lt!);
  if (c.lte !== undefined) checks.push((v) => typeof v === "number" && v <= c.lte!);
  if (c.in !== undefined) {
    const set = new Set<unknown>(c.in);
    checks.push((v) => set.has(v));
  }
  if (c.exists !== undefined) checks.push((v) => (v !== undefined) === c.exists);
  return (v) => checks.every((check) => check(v));
}
