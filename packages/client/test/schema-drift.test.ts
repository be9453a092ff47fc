// Issue 4, point 1: the client's types come from the gateway's schema. A schema change shows up
// here (the committed introspection differs) and in `tsc` (operations that no longer fit).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { getSchema } from "@sopline/gateway";
import { describe, expect, it } from "vitest";
import { INTROSPECTION_PATH, renderIntrospection } from "../scripts/render-introspection.js";
import { toOperation, type AnyDocument } from "../src/index.js";
import * as operations from "../src/operations/index.js";

// The gateway's copy of graphql-js (CommonJS): its schema cannot be validated by another realm.
const graphqlJs = createRequire(import.meta.url)("graphql") as typeof import("graphql");

describe("the client's schema contract with the gateway", () => {
  it("has src/generated/introspection.ts generated from the gateway's current schema (else run `npm run generate -w packages/client`)", () => {
    const committed = readFileSync(fileURLToPath(new URL(`../${INTROSPECTION_PATH}`, import.meta.url)), "utf8");
    const current = renderIntrospection(getSchema());
    const [a, b] = [committed.split("\n"), current.split("\n")];
    const line = a.findIndex((text, i) => text !== b[i]);
    const where = line < 0 ? a.length : line;
    // One readable line instead of a 100 KB diff: where the files part, and what to run.
    expect(committed === current, `${INTROSPECTION_PATH} is stale from line ${where + 1} (committed ${JSON.stringify(a[where] ?? "<end>")}, schema ${JSON.stringify(b[where] ?? "<end>")}): run \`npm run generate -w packages/client\``).toBe(true);
  });

  // Fragments are checked as part of the operations that spread them.
  const documents = (Object.entries(operations) as [string, unknown][]).filter((entry): entry is [string, AnyDocument] => {
    const value = entry[1] as Partial<AnyDocument> | null;
    return typeof value === "object" && value !== null && value.kind === "Document" && !!value.definitions?.some((d) => d.kind === "OperationDefinition");
  });

  it("sends at least one document per client method", () => {
    expect(documents.map(([name]) => name).sort()).toEqual([
      "AcknowledgeDeliveriesMutation",
      "BoardChangedSubscription",
      "BoardQuery",
      "CompleteTaskMutation",
      "ContentDueQuery",
      "CustomerQuery",
      "CustomerTimelineSubscription",
      "EnrollMutation",
      "IngestEventsMutation",
      "IssueStaffTokenMutation",
      "MoveCustomerMutation",
      "RefreshStaffTokenMutation",
      "RemoveFromJourneyMutation",
      "ReportCustomerRepliedMutation",
      "RevokeStaffTokenMutation",
      "SetDoNotDisturbMutation",
      "SkipTaskMutation",
      "SnoozeTaskMutation",
      "TaskFeedSubscription",
      "TasksQuery",
      "TasksSinceQuery",
      "UpsertContentMutation",
      "UpsertJourneyMutation",
      "UpsertStaffMutation",
      "ViewerQuery",
    ]);
  });

  it.each(documents)("%s is valid against the gateway's schema, as printed for the wire", (_name, document) => {
    const { query } = toOperation(document);
    const errors = graphqlJs.validate(getSchema(), graphqlJs.parse(query)).map((e) => e.message);
    expect(errors).toEqual([]);
  });
});
