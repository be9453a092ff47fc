/** Staff tasks: the list, the live feed and its catch-up, and what staff do with a task. */
import { graphql, type ResultOf, type VariablesOf } from "../graphql.js";
import { ContentFields } from "./content.js";

/**
 * A task's fields, with its customer and content entry.
 *
 * @example
 * graphql(`query { myTasks { edges { node { ...TaskFields } } } }`, [TaskFields]);
 */
export const TaskFields = graphql(
  `
  fragment TaskFields on Task {
    id seq kind channel content title status dueAt snoozedUntil completedAt createdAt customerId staffId
    customer { id externalId name }
    contentEntry { ...ContentFields }
  }
`,
  [ContentFields],
);

/**
 * A page of the caller's tasks (`client.tasks()`).
 *
 * @example
 * await client.request(TasksQuery, { status: "OPEN", first: 50 });
 */
export const TasksQuery = graphql(
  `
  query Tasks($status: TaskStatus, $staffId: ID, $first: Int, $after: String) {
    myTasks(status: $status, staffId: $staffId, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...TaskFields } }
    }
  }
`,
  [TaskFields],
);

/**
 * Tasks after a seq: the feed's catch-up (`client.tasksSince()`). It selects exactly the live
 * feed's TaskNotice fields, so both halves of the feed deliver one item type.
 *
 * @example
 * await client.request(TasksSinceQuery, { seq: "0" });
 */
export const TasksSinceQuery = graphql(`
  query TasksSince($seq: String!, $staffId: ID, $first: Int) {
    tasksSince(seq: $seq, staffId: $staffId, first: $first) {
      id seq title kind channel content dueAt status customerId staffId
    }
  }
`);

/**
 * The caller's live task feed (`client.taskFeed()` makes it resumable).
 *
 * @example
 * client.subscribe(TaskFeedSubscription, {}, { next: ({ myTaskFeed }) => apply(myTaskFeed) });
 */
export const TaskFeedSubscription = graphql(`
  subscription TaskFeed($staffId: ID) {
    myTaskFeed(staffId: $staffId) {
      change
      task { id seq title kind channel content dueAt status customerId staffId }
    }
  }
`);

/**
 * Marks a task done (`client.completeTask()`).
 *
 * @example
 * await client.request(CompleteTaskMutation, { id });
 */
export const CompleteTaskMutation = graphql(
  `
  mutation CompleteTask($id: ID!) { completeTask(id: $id) { ...TaskFields } }
`,
  [TaskFields],
);

/**
 * Skips a task with a reason (`client.skipTask()`).
 *
 * @example
 * await client.request(SkipTaskMutation, { id, reason: "not now" });
 */
export const SkipTaskMutation = graphql(
  `
  mutation SkipTask($id: ID!, $reason: String!) { skipTask(id: $id, reason: $reason) { ...TaskFields } }
`,
  [TaskFields],
);

/**
 * Postpones a task (`client.snoozeTask()`).
 *
 * @example
 * await client.request(SnoozeTaskMutation, { id, until: "2026-11-24T02:00:00Z" });
 */
export const SnoozeTaskMutation = graphql(
  `
  mutation SnoozeTask($id: ID!, $until: DateTime!) { snoozeTask(id: $id, until: $until) { ...TaskFields } }
`,
  [TaskFields],
);

/** A task with its customer and content entry (`client.tasks()`, `completeTask()`…). */
export type Task = ResultOf<typeof TaskFields>;
/** A task as the live feed and `tasksSince` carry it. */
export type TaskNotice = ResultOf<typeof TasksSinceQuery>["tasksSince"][number];
/** One item of `client.taskFeed()`. Catch-up items arrive as `CREATED` with their current status. */
export type TaskFeedItem = ResultOf<typeof TaskFeedSubscription>["myTaskFeed"];
/** `OPEN | DONE | SKIPPED | SNOOZED`. */
export type TaskStatus = Task["status"];
/** Filters of `client.tasks()`. */
export type TasksArgs = VariablesOf<typeof TasksQuery>;
