import SchemaBuilderImport from "@pothos/core";
import PrismaPluginImport from "@pothos/plugin-prisma";
import RelayPluginImport from "@pothos/plugin-relay";
import type { ValueNode } from "graphql";
import { GraphQLError, Kind } from "./graphql-runtime.js";
import type { Context } from "./context.js";
import type PrismaTypes from "./generated/pothos-prisma-types.js";
import { getDatamodel } from "./generated/pothos-prisma-types.js";
import "./guard-plugin.js";
import { interopDefault } from "./interop.js";

const SchemaBuilder = interopDefault(SchemaBuilderImport);
const PrismaPlugin = interopDefault(PrismaPluginImport);
const RelayPlugin = interopDefault(RelayPluginImport);

export interface SchemaTypesConfig {
  PrismaTypes: PrismaTypes;
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
}

/**
 * The one Pothos builder. The Prisma client comes from the request context, so one schema
 * serves every gateway (and every test database) in a process.
 */
export const builder = new SchemaBuilder<SchemaTypesConfig>({
  plugins: ["soplineGuard", RelayPlugin, PrismaPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  prisma: {
    client: (ctx) => ctx.db.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === "production" ? null : "warn",
  },
});

const parseDate = (value: unknown): Date => {
  const d = value instanceof Date ? value : typeof value === "number" ? new Date(value) : typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw new GraphQLError(`DateTime: expected an ISO-8601 string or epoch milliseconds, got ${JSON.stringify(value)}`);
  return d;
};

builder.scalarType("DateTime", {
  description: "An instant, as an ISO-8601 string (UTC) on output; ISO-8601 string or epoch milliseconds on input.",
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString()),
  parseValue: parseDate,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING) return parseDate(ast.value);
    if (ast.kind === Kind.INT) return parseDate(Number(ast.value));
    throw new GraphQLError("DateTime: expected an ISO-8601 string or epoch milliseconds");
  },
});

function literalValue(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalValue(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalValue(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
  }
}

builder.scalarType("JSON", {
  description: "Any JSON value.",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literalValue(ast, variables),
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
