// Assembles the GraphQL schema: one module per area registers its types and fields on the builder.
import type { GraphQLSchema } from "graphql";
import { builder } from "./builder.js";
import "./types/enums.js";
import "./types/staff.js";
import "./types/content.js";
import "./types/task.js";
import "./types/delivery.js";
import "./types/journey.js";
import "./types/enrollment.js";
import "./types/customer.js";
import "./types/workspace.js";
import "./types/segment-rule.js";
import "./types/board.js";
import "./types/timeline.js";
import "./types/ingest.js";
import "./types/live-sops.js";
import "./types/holiday-calendar.js";
import "./types/metrics.js";
import "./types/customer-engagement.js";
import "./queries/viewer.js";
import "./queries/board.js";
import "./queries/customers.js";
import "./queries/tasks.js";
import "./queries/content.js";
import "./queries/journeys.js";
import "./queries/live-sops.js";
import "./queries/holidays.js";
import "./queries/metrics.js";
import "./queries/server-time.js";
import "./mutations/journeys.js";
import "./mutations/customers.js";
import "./mutations/events.js";
import "./mutations/tasks.js";
import "./mutations/library.js";
import "./mutations/workspace.js";
import "./mutations/staff-tokens.js";
import "./mutations/live-sops.js";
import "./mutations/holidays.js";
import "./mutations/replies.js";
import "./mutations/metrics.js";
import "./subscriptions/task-feed.js";
import "./subscriptions/board.js";
import "./subscriptions/timeline.js";

let schema: GraphQLSchema | undefined;

/** The gateway's GraphQL schema (built once per process). */
export function getSchema(): GraphQLSchema {
  return (schema ??= builder.toSchema({ sortSchema: false }));
}
