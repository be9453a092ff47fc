// Query depth, cost, alias, directive and token limits (graphql-armor), reported as GraphQL
// errors with code LIMIT and a message that says which limit and by how much.
import { EnvelopArmor } from "@escape.tech/graphql-armor";
import type { DocumentNode, GraphQLError, SelectionSetNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "../graphql/context.js";
import { gatewayError } from "../graphql/errors.js";

export interface QueryLimits {
  /** Deepest selection (default 12). */
  maxDepth: number;
  /** graphql-armor cost (objects 2, scalars 1, ×1.5 per level; default 50,000: a task page with customers, journeys, steps and content costs ≈ 23,000). */
  maxCost: number;
  /** Aliases per operation (default 30). */
  maxAliases: number;
  /** Directives per operation (default 30). */
  maxDirectives: number;
  /** Tokens per document (default 5,000). */
  maxTokens: number;
  /** Brackets ({ [ ( ) nested in the document text, checked before parsing (default 64). */
  maxNesting: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 50_000, maxAliases: 30, maxDirectives: 30, maxTokens: 5_000, maxNesting: 64 };

/**
 * Where the document's brackets nest deeper than `max` (the offset), or -1. graphql-js parses by
 * recursion: a few thousand levels overflow the stack before any token or depth limit is reached,
 * so this linear pass runs first. Strings, block strings and comments are skipped.
 */
export function nestingBeyond(source: string, max: number): number {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "{" || c === "[" || c === "(") {
      if (++depth > max) return i;
    } else if (c === "}" || c === "]" || c === ")") depth--;
    else if (c === "#") {
      const end = source.indexOf("\n", i);
      i = end === -1 ? source.length : end;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        let end = source.indexOf('"""', i + 3);
        while (end !== -1 && source[end - 1] === "\\") end = source.indexOf('"""', end + 3);
        i = end === -1 ? source.length : end + 2;
      } else {
        let j = i + 1;
        while (j < source.length && source[j] !== '"' && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
        i = j;
      }
    }
  }
  return -1;
}

/** Refuses documents nested deeper than `max` before the parser recurses into them. */
function nestingLimitPlugin(max: number): Plugin {
  return {
    onParse({ params }) {
      const source = typeof params.source === "string" ? params.source : params.source.body;
      const at = nestingBeyond(source, max);
      if (at !== -1) throw gatewayError("LIMIT", `document nested more than ${max} brackets deep (at offset ${at})`, { limit: "nesting", http: { status: 400 } });
    },
  };
}

const limitError = (err: GraphQLError, limit: string) =>
  gatewayError("LIMIT", err.message.replace(/^Syntax Error: /, ""), { limit });

/** Validation-time rules report through the validation context (HTTP 400 with every problem). */
function report(limit: string) {
  return {
    propagateOnRejection: false,
    onReject: [
      (ctx: { reportError(e: GraphQLError): void } | null, err: GraphQLError) => {
        if (ctx) ctx.reportError(limitError(err, limit));
        else throw limitError(err, limit);
      },
    ],
  };
}

export function queryLimitPlugins(limits: Partial<QueryLimits> = {}): Plugin[] {
  const l = { ...DEFAULT_QUERY_LIMITS, ...limits };
  const armor = new EnvelopArmor({
    maxDepth: { n: l.maxDepth, ...report("depth") },
    costLimit: { maxCost: l.maxCost, ...report("cost") },
    maxAliases: { n: l.maxAliases, ...report("aliases") },
    maxDirectives: { n: l.maxDirectives, ...report("directives") },
    // the parser has no validation context: the handler throws and parsing stops
    maxTokens: { n: l.maxTokens, ...report("tokens") },
    blockFieldSuggestion: { enabled: true },
  } as ConstructorParameters<typeof EnvelopArmor>[0]);
  return [nestingLimitPlugin(l.maxNesting), ...(armor.protect().plugins as Plugin[])];
}

/**
 * Who may introspect the schema (`__schema`, `__type`): "authenticated" callers only (the
 * default), "public" (anyone), or "off" (nobody; the default under NODE_ENV=production).
 */
export type IntrospectionAccess = "authenticated" | "public" | "off";

/** Whether `document` asks for `__schema` or `__type` anywhere (`__typename` is not introspection). */
export function selectsIntrospection(document: DocumentNode): boolean {
  // A plain walk rather than graphql's visit(): its BREAK token would have to come from the same
  // graphql-js copy as the document (see graphql/graphql-runtime.ts).
  const inSet = (set: SelectionSetNode | undefined): boolean =>
    !!set?.selections.some((s) =>
      s.kind === "Field" ? s.name.value === "__schema" || s.name.value === "__type" || inSet(s.selectionSet) : s.kind === "InlineFragment" ? inSet(s.selectionSet) : false,
    );
  return document.definitions.some((d) => (d.kind === "OperationDefinition" || d.kind === "FragmentDefinition") && inSet(d.selectionSet));
}

export function introspectionPlugin(access: IntrospectionAccess): Plugin<Context> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (access === "public" || !selectsIntrospection(args.document)) return;
      if (access === "off") {
        setResultAndStopExecution({ errors: [gatewayError("FORBIDDEN", "introspection is disabled on this gateway (NODE_ENV=production); enable it with the `introspection` option or SOPLINE_INTROSPECTION=authenticated")] });
        return;
      }
      const ctx = args.contextValue as Context;
      if (ctx.auth) return;
      const why = ctx.authError ? ctx.authError.message : 'send "Authorization: Bearer <API key or staff token>"';
      setResultAndStopExecution({ errors: [gatewayError("UNAUTHENTICATED", `introspection needs credentials: ${why}`)] });
    },
  };
}

/** The introspection access of a gateway: the option, else SOPLINE_INTROSPECTION, else by NODE_ENV. */
export function introspectionAccess(option: IntrospectionAccess | boolean | undefined, env: NodeJS.ProcessEnv): IntrospectionAccess {
  const given = option ?? env.SOPLINE_INTROSPECTION;
  if (given === true) return "authenticated";
  if (given === false) return "off";
  if (given === "authenticated" || given === "public" || given === "off") return given;
  if (given !== undefined) throw new Error(`SOPLINE_INTROSPECTION: expected authenticated, public or off, got "${given}"`);
  return env.NODE_ENV === "production" ? "off" : "authenticated";
}

/** Whether GraphiQL is served: the option, else SOPLINE_GRAPHIQL (true/false), else not under NODE_ENV=production. */
export function graphiqlEnabled(option: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (option !== undefined) return option;
  const given = env.SOPLINE_GRAPHIQL;
  if (given === "true" || given === "1") return true;
  if (given === "false" || given === "0") return false;
  if (given !== undefined) throw new Error(`SOPLINE_GRAPHIQL: expected true or false, got "${given}"`);
  return env.NODE_ENV !== "production";
}
