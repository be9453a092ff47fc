// Query depth, cost, alias, directive and token limits (graphql-armor), reported as GraphQL
// errors with code LIMIT and a message that says which limit and by how much.
import { EnvelopArmor } from "@escape.tech/graphql-armor";
import type { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
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
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 50_000, maxAliases: 30, maxDirectives: 30, maxTokens: 5_000 };

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
  return armor.protect().plugins as Plugin[];
}
