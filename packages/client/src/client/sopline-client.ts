/**
 * The typed client: one method per gateway operation over an untyped transport (tRPC's shape),
 * plus `request` / `subscribe` escape hatches that take any gql.tada document.
 */
import type { ResultOf, TadaDocumentNode } from "gql.tada";
import { AcknowledgeDeliveriesMutation, ContentDueQuery, UpsertContentMutation, type Content, type ContentDueArgs, type ContentInput, type DeliveryReport, type DueDelivery } from "../operations/content.js";
import { BoardChangedSubscription, BoardQuery, type Board } from "../operations/board.js";
import { CustomerQuery, CustomerTimelineSubscription, EnrollMutation, MoveCustomerMutation, type EnrollArgs, type Enrollment, type TimelineUpdate } from "../operations/customers.js";
import { IngestEventsMutation, ReportCustomerRepliedMutation, type IngestResult, type ReplyRecorded } from "../operations/events.js";
import { UpsertJourneyMutation, type UpsertJourneyResult } from "../operations/journeys.js";
import { RemoveFromJourneyMutation, SetDoNotDisturbMutation, type DoNotDisturbArgs, type DoNotDisturbResult, type RemovedFromJourney } from "../operations/live-sops.js";
import {
  IssueStaffTokenMutation,
  RefreshStaffTokenMutation,
  RevokeStaffTokenMutation,
  UpsertStaffMutation,
  ViewerQuery,
  type RefreshedStaffToken,
  type Staff,
  type StaffInput,
  type StaffToken,
  type Viewer,
} from "../operations/staff.js";
import { CompleteTaskMutation, SkipTaskMutation, SnoozeTaskMutation, TaskFeedSubscription, TasksQuery, TasksSinceQuery, type Task, type TaskFeedItem, type TaskNotice, type TasksArgs } from "../operations/tasks.js";
import { GraphQLResponseError, type SoplineClientError } from "../transport/errors.js";
import { type FeedSink, type ResumableFeed, reportFeedError } from "../transport/resumable-feed.js";
import { unwrap } from "../transport/result.js";
import type { SubscriptionClient } from "../transport/subscriptions.js";
import type { RequestOptions, RequestTransport, SubscriptionTransport, Unsubscribe } from "../transport/types.js";
import { ingestInBatches, toDateTime, type IngestEvent } from "./ingest.js";
import { toOperation, type AnyDocument, type VariablesArgs } from "./operation.js";
import { startTaskFeed, type TaskFeedOptions } from "./task-feed.js";
import { withTimeline, type CustomerView } from "./timeline.js";

/** The subscription side of the wire; `onConnected` enables catch-up after reconnects. */
export interface LiveWire extends SubscriptionTransport {
  onConnected?: SubscriptionClient["onConnected"];
  /** Drop the socket now (it reconnects per the retry policy). */
  terminate?(): void;
  dispose?(): Promise<void>;
}

/** What the typed client runs on: requests, and (created on first use) subscriptions. */
export interface ClientWire {
  request: RequestTransport["request"];
  /** Called once, on the first subscription: sockets are opened only by callers who subscribe. */
  live?(): LiveWire;
}

/** Receives a subscription's values. */
export interface Sink<T> {
  next(value: T): void;
  /** A GraphQL error in a result, or the connection failing for good (the retry policy gave up). Without it: `console.error`, never dropped. */
  error?(error: SoplineClientError): void;
  complete?(): void;
}

/** A page of `client.tasks()`. */
export interface TaskPage {
  readonly tasks: Task[];
  readonly totalCount: number;
  /** Pass `endCursor` as `after` for the next page. */
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
}

/** Options of `client.customer()`. */
export interface CustomerOptions {
  /** Past steps per journey, most recent first (default 100, at most 500). */
  pastSteps?: number;
  /** How far ahead upcoming steps go (default 90 days, at most 400). */
  upcomingDays?: number;
  /** Upcoming steps per journey (default 50, at most 200). */
  upcomingLimit?: number;
}

/** The typed sopline client. Every method rejects with a `SoplineClientError` subclass, never a string. */
export interface SoplineClient {
  /**
   * Escape hatch: any gql.tada document, typed by the gateway's schema.
   * @example
   * const { journeyLint } = await client.request(graphql(`query L($k: String!) { journeyLint(key: $k) { code message } }`), { k: "b2b-nurture" });
   */
  request<TData, TVariables>(document: TadaDocumentNode<TData, TVariables>, ...args: VariablesArgs<TVariables>): Promise<TData>;
  /** Escape hatch for subscriptions; returns the way to stop. */
  subscribe<TData, TVariables>(document: TadaDocumentNode<TData, TVariables>, variables: TVariables, sink: Sink<TData>): Unsubscribe;
  /** Who is calling: the workspace, and the staff member for a staff token. */
  viewer(): Promise<Viewer>;
  /** Customers per stage per journey, today's chat / call opportunities per staff member (a staff token: their own). */
  board(journeyKey?: string): Promise<Board>;
  /** One customer with their journeys, past and upcoming steps, and the merged `timeline`. NOT_FOUND when not visible. */
  customer(id: string, options?: CustomerOptions): Promise<CustomerView>;
  /** Deliveries due for a customer on a channel and not yet sent, newest first, with their content. */
  contentDue(args: ContentDueArgs): Promise<DueDelivery[]>;
  /** Reports deliveries from `contentDue` as `SENT` or `FAILED`; resolves with how many changed. */
  acknowledgeDeliveries(ids: readonly string[], status: DeliveryReport, error?: string): Promise<number>;
  /** A staff member's tasks, soonest due first (a staff token: their own; an API key: pass `staffId`). */
  tasks(args?: TasksArgs): Promise<TaskPage>;
  /** Tasks created after `seq`, in seq order (the feed's catch-up). */
  tasksSince(seq: string, options?: { staffId?: string; first?: number }): Promise<TaskNotice[]>;
  /** Records behaviour events; any number, sent in order in batches of at most 1,000. Retried ids count once. */
  ingestEvents(events: readonly IngestEvent[]): Promise<IngestResult>;
  /** The chat toolbar's "customer replied" tap: message.replied with source staff_tap (a staff token: own customers). */
  reportCustomerReplied(args: { customerId: string; at?: string | number | Date; id?: string }): Promise<ReplyRecorded>;
  completeTask(id: string): Promise<Task>;
  skipTask(id: string, reason: string): Promise<Task>;
  /** Postpones a task; `until` must be in the future. */
  snoozeTask(id: string, until: string | number | Date): Promise<Task>;
  /** Moves a customer to another stage of a journey now (the old stage's pending steps stop). */
  moveCustomer(args: { customerId: string; journeyKey: string; to: string }): Promise<Enrollment>;
  /** Removes a customer from a journey: unsent steps and open tasks cancelled, recorded with the reason. */
  removeFromJourney(args: { customerId: string; journeyKey: string; reason?: string }): Promise<RemovedFromJourney>;
  /** Turns a customer's do-not-disturb on or off for a channel (omitted: every channel). */
  setDoNotDisturb(args: DoNotDisturbArgs): Promise<DoNotDisturbResult>;
  /** Enrolls a customer (created if unknown) in the newest version of a journey. */
  enroll(args: EnrollArgs): Promise<ResultOf<typeof EnrollMutation>["enroll"]>;
  /** Stores a journey definition (the core's JSON) as a new version when it changed. BAD_USER_INPUT lists `issues`. */
  upsertJourney<D extends { readonly id: string }>(definition: D): Promise<UpsertJourneyResult>;
  /** Creates or updates a content library entry by `ref`. */
  upsertContent(input: ContentInput): Promise<Content>;
  /** Creates or updates a staff member by external id. */
  upsertStaff(input: StaffInput): Promise<Staff>;
  /** Signs in a staff member's mini-program: a 1-hour access token (unless `ttlSeconds`) and a refresh token (see `createStaffSession`). */
  issueStaffToken(staffId: string, ttlSeconds?: number, sessionTtlSeconds?: number): Promise<StaffToken>;
  /** A new access token and refresh token for a refresh token (works on a client without a token). */
  refreshStaffToken(refreshToken: string): Promise<RefreshedStaffToken>;
  /** Revokes a staff token by its id at once; with a staff token: signs out. */
  revokeStaffToken(id: string): Promise<boolean>;
  /**
   * The caller's task feed, resumable: after every reconnect it catches up through `tasksSince`
   * from the last seen seq, so a task created while disconnected arrives, once.
   */
  taskFeed(sink: FeedSink<TaskFeedItem>, options?: TaskFeedOptions): ResumableFeed;
  /** The board, recomputed each time its counts change. */
  boardChanges(sink: Sink<Board>, options?: { journeyKey?: string }): Unsubscribe;
  /** What happens in a customer's journeys as it happens. */
  customerTimeline(customerId: string, sink: Sink<TimelineUpdate>): Unsubscribe;
  /** Drops the subscription socket now; it reconnects per the retry policy and feeds catch up. */
  reconnect(): void;
  /** Closes the subscription socket (if one was opened) and stops reconnecting. */
  dispose(): Promise<void>;
}

/**
 * The typed client over a {@link ClientWire}. `createClient` / `createWxClient` build the wire.
 *
 * @example
 * const client = createSoplineClient({ request: http.request, live: () => createSubscriptionClient({ url, webSocketImpl }) });
 */
export function createSoplineClient(wire: ClientWire): SoplineClient {
  let live: LiveWire | undefined;
  const getLive = (): LiveWire => {
    if (live) return live;
    if (!wire.live) throw new TypeError("Expected a transport with subscriptions (`subscribe`), but this client was given one without");
    return (live = wire.live());
  };

  // Typed here too, so a document whose variables or result no longer fit its method fails `tsc`.
  async function request<TData, TVariables>(document: TadaDocumentNode<TData, TVariables>, variables?: TVariables, options?: RequestOptions): Promise<TData> {
    return unwrap(await wire.request<TData>(toOperation(document as AnyDocument, variables), options));
  }

  function subscribe<TData, T = TData>(document: TadaDocumentNode<TData, any>, variables: unknown, sink: Sink<T>, select: (data: TData) => T = (d) => d as unknown as T): Unsubscribe {
    return getLive().subscribe<TData>(toOperation(document as AnyDocument, variables), {
      next: (result) => {
        if (result.errors?.length) return reportFeedError(sink, new GraphQLResponseError({ errors: result.errors, data: result.data }));
        if (result.data) sink.next(select(result.data));
      },
      error: (e) => reportFeedError(sink, e),
      complete: () => sink.complete?.(),
    });
  }

  return {
    request: ((document: AnyDocument, variables?: unknown, options?: RequestOptions) => request(document, variables, options)) as SoplineClient["request"],
    subscribe: ((document: AnyDocument, variables: unknown, sink: Sink<unknown>) => subscribe(document, variables, sink)) as SoplineClient["subscribe"],
    viewer: async () => (await request(ViewerQuery)).viewer,
    board: async (journeyKey) => (await request(BoardQuery, journeyKey === undefined ? {} : { journeyKey })).board,
    customer: async (id, options = {}) => withTimeline((await request(CustomerQuery, { id, ...options })).customer),
    contentDue: async (args) => (await request(ContentDueQuery, args)).contentDue,
    acknowledgeDeliveries: async (ids, status, error) =>
      (await request(AcknowledgeDeliveriesMutation, { ids: [...ids], status, ...(error === undefined ? {} : { error }) })).acknowledgeDeliveries,
    tasks: async (args = {}) => {
      const { myTasks } = await request(TasksQuery, args);
      return { tasks: myTasks.edges.map((e) => e.node), totalCount: myTasks.totalCount, pageInfo: myTasks.pageInfo };
    },
    tasksSince: async (seq, options = {}) => (await request(TasksSinceQuery, { seq, ...options })).tasksSince,
    ingestEvents: (events) => ingestInBatches(events, async (batch) => (await request(IngestEventsMutation, { events: batch })).ingestEvents),
    reportCustomerReplied: async ({ at, ...rest }) => (await request(ReportCustomerRepliedMutation, { ...rest, ...(at !== undefined ? { at: toDateTime(at) } : {}) })).reportCustomerReplied,
    completeTask: async (id) => (await request(CompleteTaskMutation, { id })).completeTask,
    skipTask: async (id, reason) => (await request(SkipTaskMutation, { id, reason })).skipTask,
    snoozeTask: async (id, until) => (await request(SnoozeTaskMutation, { id, until: toDateTime(until) })).snoozeTask,
    moveCustomer: async (args) => (await request(MoveCustomerMutation, args)).moveCustomer,
    removeFromJourney: async (args) => (await request(RemoveFromJourneyMutation, args)).removeFromJourney,
    setDoNotDisturb: async (args) => (await request(SetDoNotDisturbMutation, args)).setDoNotDisturb,
    enroll: async (args) => (await request(EnrollMutation, args)).enroll,
    upsertJourney: async (definition) => (await request(UpsertJourneyMutation, { definition })).upsertJourney,
    upsertContent: async (input) => (await request(UpsertContentMutation, { input })).upsertContent,
    upsertStaff: async (input) => (await request(UpsertStaffMutation, { input })).upsertStaff,
    issueStaffToken: async (staffId, ttlSeconds, sessionTtlSeconds) =>
      (await request(IssueStaffTokenMutation, { staffId, ...(ttlSeconds === undefined ? {} : { ttlSeconds }), ...(sessionTtlSeconds === undefined ? {} : { sessionTtlSeconds }) }))
        .issueStaffToken,
    refreshStaffToken: async (refreshToken) => (await request(RefreshStaffTokenMutation, { refreshToken })).refreshStaffToken,
    revokeStaffToken: async (id) => (await request(RevokeStaffTokenMutation, { id })).revokeStaffToken,
    taskFeed: (sink, options = {}) => {
      const connection = getLive();
      return startTaskFeed(
        {
          live: { subscribe: connection.subscribe, onConnected: connection.onConnected ?? (() => () => {}) },
          feedOperation: toOperation(TaskFeedSubscription, options.staffId === undefined ? {} : { staffId: options.staffId }),
          tasksSince: async (seq, first) => (await request(TasksSinceQuery, { seq, first, ...(options.staffId === undefined ? {} : { staffId: options.staffId }) })).tasksSince,
        },
        sink,
        options,
      );
    },
    boardChanges: (sink, options = {}) =>
      subscribe(BoardChangedSubscription, options.journeyKey === undefined ? {} : { journeyKey: options.journeyKey }, sink, (d) => d.boardChanged.board),
    customerTimeline: (customerId, sink) => subscribe(CustomerTimelineSubscription, { customerId }, sink, (d) => d.customerTimeline),
    reconnect: () => live?.terminate?.(),
    dispose: async () => {
      await live?.dispose?.();
    },
  };
}
