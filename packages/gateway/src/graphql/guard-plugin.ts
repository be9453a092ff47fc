// A small Pothos plugin: every root field (Query, Mutation, Subscription) is authenticated by
// default and has its arguments checked against the size limits before its resolver runs.
//   extensions: { access: "public" }  → no credentials needed (e.g. a health field)
//   extensions: { access: "apiKey" }  → a workspace API key is needed (staff tokens: FORBIDDEN)
//   extensions: { limits: FieldLimits } → per-field size overrides
import SchemaBuilderImport, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from "@pothos/core";
import type { GraphQLFieldResolver } from "graphql";
import { type Context, requireApiKey, requireAuth } from "./context.js";
import { translateError } from "./errors.js";
import { interopDefault } from "./interop.js";
import { type FieldLimits, checkArgumentLimits } from "./limits.js";

export type FieldAccess = "public" | "any" | "apiKey";

const ROOTS = new Set(["Query", "Mutation", "Subscription"]);

export class GuardPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  private check(fieldConfig: PothosOutputFieldConfig<Types>): ((args: object, ctx: unknown) => void) | null {
    if (!ROOTS.has(fieldConfig.parentType)) return null;
    const extensions = (fieldConfig.extensions ?? {}) as { access?: FieldAccess; limits?: FieldLimits };
    const access = extensions.access ?? "any";
    return (args, ctx) => {
      const context = ctx as Context;
      if (access === "apiKey") requireApiKey(context);
      else if (access === "any") requireAuth(context);
      checkArgumentLimits(fieldConfig.name, args as Record<string, unknown>, extensions.limits);
    };
  }

  override wrapResolve(resolver: GraphQLFieldResolver<unknown, Types["Context"], object>, fieldConfig: PothosOutputFieldConfig<Types>) {
    // Subscription fields are guarded once, in subscribe.
    if (fieldConfig.parentType === "Subscription") return resolver;
    const check = this.check(fieldConfig);
    if (!check) return resolver;
    return async (parent: unknown, args: object, ctx: Types["Context"], info: Parameters<typeof resolver>[3]) => {
      check(args, ctx);
      try {
        return await resolver(parent, args, ctx, info);
      } catch (err) {
        throw translateError(err) ?? err;
      }
    };
  }

  override wrapSubscribe(subscribe: GraphQLFieldResolver<unknown, Types["Context"], object> | undefined, fieldConfig: PothosOutputFieldConfig<Types>) {
    const check = this.check(fieldConfig);
    if (!check || !subscribe) return subscribe;
    return async (parent: unknown, args: object, ctx: Types["Context"], info: Parameters<typeof subscribe>[3]) => {
      check(args, ctx);
      try {
        return await subscribe(parent, args, ctx, info);
      } catch (err) {
        throw translateError(err) ?? err;
      }
    };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      soplineGuard: GuardPlugin<Types>;
    }
  }
}

interopDefault(SchemaBuilderImport).registerPlugin("soplineGuard", GuardPlugin);
