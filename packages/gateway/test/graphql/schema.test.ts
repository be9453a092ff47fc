import { printSchema } from "../../src/graphql/graphql-runtime.js";
import { describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/client.js";
import { getDatamodel } from "../../src/graphql/generated/pothos-prisma-types.js";
import { getSchema } from "../../src/graphql/schema.js";

describe("GraphQL schema", () => {
  it("matches the reviewed snapshot (every schema change shows up in review)", async () => {
    await expect(printSchema(getSchema())).toMatchFileSnapshot("__snapshots__/schema.graphql");
  });

  it("was built from Pothos types generated for the current Prisma schema (else run src/graphql/generate-pothos-types.ts)", () => {
    const models = getDatamodel().datamodel.models;
    expect(Object.keys(models).sort()).toEqual(Object.values(Prisma.ModelName).sort());
    for (const name of Object.values(Prisma.ModelName)) {
      const scalars = (Prisma as unknown as Record<string, Record<string, string>>)[`${name}ScalarFieldEnum`]!;
      const generated = models[name]!.fields.filter((f) => f.kind !== "object").map((f) => f.name);
      expect(generated.sort(), name).toEqual(Object.values(scalars).sort());
    }
  });
});
