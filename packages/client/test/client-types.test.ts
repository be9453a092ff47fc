// Issue 4, point 1: what the typed client promises, as type tests (checked by `tsc` over this
// file in `npm test`) next to behaviour tests of the same methods over a recording transport.
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  createSoplineClient,
  graphql,
  GraphQLResponseError,
  type Board,
  type CustomerView,
  type DueDelivery,
  type GraphQLOperation,
  type GraphQLResult,
  type IngestResult,
  type InputIssue,
  type ResultOf,
  type SoplineClient,
  type SoplineErrorCode,
  type Task,
  type TaskFeedItem,
  type TaskNotice,
  type TaskStatus,
  type VariablesOf,
} from "../src/index.js";
import type { SoplineClient as WxSoplineClient } from "../src/wx.js";

/** A client whose transport records each operation and answers with `reply(operation)`. */
function recordingClient(reply: (op: GraphQLOperation) => GraphQLResult) {
  const sent: GraphQLOperation[] = [];
  const client = createSoplineClient({
    request: (async (op: GraphQLOperation) => {
      sent.push(op);
      return reply(op);
    }) as never,
  });
  return { client, sent };
}

describe("types derived from the gateway's schema", () => {
  it("types results from the schema: enums as unions, DateTime as string, JSON as unknown, nullability kept", () => {
    expectTypeOf<TaskStatus>().toEqualTypeOf<"OPEN" | "DONE" | "SKIPPED" | "SNOOZED">();
    expectTypeOf<Task["dueAt"]>().toEqualTypeOf<string>();
    expectTypeOf<Task["snoozedUntil"]>().toEqualTypeOf<string | null>();
    expectTypeOf<NonNullable<Task["customer"]>["name"]>().toEqualTypeOf<string | null>();
    // null for a staff token once the customer is another member's
    expectTypeOf<Task["customer"]>().toEqualTypeOf<{ id: string; externalId: string; name: string | null } | null>();
    expectTypeOf<NonNullable<Task["contentEntry"]>["body"]>().toEqualTypeOf<unknown>();
    expectTypeOf<Board["staff"][number]>().toHaveProperty("chat").toEqualTypeOf<number>();
    expectTypeOf<DueDelivery["channel"]>().toEqualTypeOf<"PRIVATE_CHAT" | "GROUP_CHAT" | "MOMENTS" | "OFFICIAL_ACCOUNT" | "MINI_PROGRAM" | "SMS" | "CALL" | "WEBHOOK" | "OFFLINE_EVENT" | null>();
    expectTypeOf<IngestResult["rejected"][number]["index"]>().toEqualTypeOf<number>();
  });

  it("gives the two halves of the task feed (live notices and tasksSince catch-up) one item type", () => {
    expectTypeOf<TaskFeedItem["task"]>().toEqualTypeOf<TaskNotice>();
    expectTypeOf<TaskFeedItem["change"]>().toEqualTypeOf<"CREATED" | "UPDATED" | "REMOVED" | "ALERT">();
  });

  it("types every method's arguments and result", () => {
    expectTypeOf<SoplineClient["board"]>().parameters.toEqualTypeOf<[journeyKey?: string]>();
    expectTypeOf<SoplineClient["board"]>().returns.resolves.toEqualTypeOf<Board>();
    expectTypeOf<SoplineClient["customer"]>().returns.resolves.toEqualTypeOf<CustomerView>();
    expectTypeOf<CustomerView["timeline"][number]>().toHaveProperty("status").toEqualTypeOf<string>();
    expectTypeOf<SoplineClient["completeTask"]>().returns.resolves.toEqualTypeOf<Task>();
    expectTypeOf<SoplineClient["snoozeTask"]>().parameter(1).toEqualTypeOf<string | number | Date>();
    expectTypeOf<SoplineClient["acknowledgeDeliveries"]>().parameter(1).toEqualTypeOf<"SENT" | "FAILED">();
    expectTypeOf<Parameters<SoplineClient["ingestEvents"]>[0][number]["at"]>().toEqualTypeOf<string | number | Date>();
    expectTypeOf<WxSoplineClient>().toEqualTypeOf<SoplineClient>(); // one client, two runtimes

    const client = null as unknown as SoplineClient;
    const never = () => {
      // @ts-expect-error: "WECHAT" is not a Channel
      void client.contentDue({ customer: "o1", channel: "WECHAT" });
      // @ts-expect-error: status must be SENT or FAILED
      void client.acknowledgeDeliveries(["d1"], "DONE");
      // @ts-expect-error: events need a name
      void client.ingestEvents([{ id: "e1", customer: "c1", at: new Date() }]);
    };
    void never;
  });

  it("types the request escape hatch from the document: variables required exactly when the document needs them", () => {
    const Lint = graphql(`query Lint($key: String!) { journeyLint(key: $key) { code level } }`);
    const Viewer = graphql(`query V { viewer { kind } }`);
    const client = null as unknown as SoplineClient;
    expectTypeOf<ResultOf<typeof Viewer>["viewer"]["kind"]>().toEqualTypeOf<"API_KEY" | "STAFF">();
    expectTypeOf<VariablesOf<typeof Lint>>().toEqualTypeOf<{ key: string }>();
    const never = () => {
      expectTypeOf(client.request(Lint, { key: "k" })).resolves.toEqualTypeOf<{ journeyLint: { code: string; level: string }[] }>();
      void client.request(Viewer); // no variables needed
      // @ts-expect-error: $key is required
      void client.request(Lint);
      // @ts-expect-error: $key is a String
      void client.request(Lint, { key: 1 });
    };
    void never;
  });

  it("types errors: a code union and input issues", () => {
    expectTypeOf<GraphQLResponseError["code"]>().toEqualTypeOf<SoplineErrorCode>();
    expectTypeOf<GraphQLResponseError["issues"]>().toEqualTypeOf<readonly InputIssue[]>();
  });
});

describe("the typed client over a recording transport", () => {
  it("sends named operations with the documents' variables and unwraps the field", async () => {
    const { client, sent } = recordingClient(() => ({ data: { snoozeTask: { id: "t1", status: "SNOOZED" } } }));
    const task = await client.snoozeTask("t1", new Date("2026-11-24T01:00:00Z"));
    expect(task).toEqual({ id: "t1", status: "SNOOZED" });
    expect(sent[0]).toMatchObject({ operationName: "SnoozeTask", variables: { id: "t1", until: "2026-11-24T01:00:00.000Z" } });
    expect(sent[0]!.query).toMatch(/^mutation SnoozeTask\(\$id: ID!, \$until: DateTime!\)/);
    expect(sent[0]!.query).toContain("fragment TaskFields on Task"); // fragments travel with the operation
  });

  it("splits ingestEvents into gateway-sized batches, in order, and reports rejected events by their index in the whole array", async () => {
    const { client, sent } = recordingClient((op) => {
      const events = (op.variables as { events: { id: string }[] }).events;
      const bad = events.findIndex((e) => e.id === "e-1500");
      return { data: { ingestEvents: { accepted: events.length - (bad >= 0 ? 1 : 0), duplicates: 0, rejected: bad >= 0 ? [{ index: bad, id: "e-1500", code: "BAD_EVENT", message: "m" }] : [] } } };
    });
    const events = Array.from({ length: 2_001 }, (_, i) => ({ id: `e-${i}`, customer: "c", name: "link.clicked", at: 1_790_000_000_000 + i }));
    const result = await client.ingestEvents(events);
    expect(sent.map((op) => (op.variables as { events: unknown[] }).events.length)).toEqual([1_000, 1_000, 1]);
    expect((sent[1]!.variables as { events: { id: string; at: string }[] }).events[0]).toMatchObject({ id: "e-1000", at: new Date(1_790_000_001_000).toISOString() });
    expect(result).toEqual({ accepted: 2_000, duplicates: 0, rejected: [{ index: 1_500, id: "e-1500", code: "BAD_EVENT", message: "m" }] });
  });

  it("throws GraphQLResponseError with the gateway's code and issues, keeping partial data", async () => {
    const { client } = recordingClient(() => ({
      data: null,
      errors: [{ message: "invalid journey", path: ["upsertJourney"], extensions: { code: "BAD_USER_INPUT", issues: [{ path: "stages", message: "expected at least one stage" }] } }],
    }));
    const error = await client.upsertJourney({ id: "j" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLResponseError);
    expect(error).toMatchObject({ code: "BAD_USER_INPUT", issues: [{ path: "stages", message: "expected at least one stage" }], data: null });
    expect((error as Error).message).toBe("Gateway returned a GraphQL error [BAD_USER_INPUT] at upsertJourney: invalid journey");
  });

  it("merges past and upcoming steps into one chronological timeline", async () => {
    const step = { stage: "new", channel: "PRIVATE_CHAT", content: "c", mode: "auto" };
    const { client } = recordingClient(() => ({
      data: {
        customer: {
          id: "c1",
          journeys: [
            {
              journeyKey: "j",
              pastSteps: [{ ...step, stepId: "b", dueAt: "2026-11-24T01:00:00.000Z", status: "sent" }, { ...step, stepId: "a", dueAt: "2026-11-23T01:00:00.000Z", status: "task" }],
              upcomingSteps: [{ ...step, stepId: "c", dueAt: "2026-11-25T01:00:00.000Z" }],
            },
          ],
        },
      },
    }));
    const customer = await client.customer("c1");
    expect(customer.timeline.map((e) => `${e.stepId}:${e.status}`)).toEqual(["a:task", "b:sent", "c:upcoming"]);
  });

  it("refuses subscriptions on a wire without them, with a clear message", () => {
    const { client } = recordingClient(() => ({ data: {} }));
    expect(() => client.boardChanges({ next: () => {} })).toThrow("Expected a transport with subscriptions");
  });
});
