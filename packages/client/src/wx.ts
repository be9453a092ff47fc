/**
 * @sopline/client/wx — the mini-program entry: the typed client on `wx.request` and
 * `wx.connectSocket`, the offline event reporter on `wx` storage, and nothing that needs Node,
 * `fetch` or a WebSocket class. Budget: see bench/client-size.ts.
 *
 * @example
 * import { createWxClient, createWxIngestReporter } from "@sopline/client/wx";
 * const client = createWxClient({ url: "https://api.example.com/graphql", token: () => getApp().globalData.staffToken });
 */
export { createWxClient, type WxClientOptions } from "./client/create-wx-client.js";
export type { CustomerOptions, Sink, SoplineClient, TaskPage } from "./client/sopline-client.js";
export type { LiveOptions } from "./client/live-options.js";
export { createStaffSession, type StaffSession, type StaffSessionOptions, type StaffTokenPair } from "./client/staff-session.js";
export type { IngestEvent } from "./client/ingest.js";
export { maxSeq, type TaskFeedOptions } from "./client/task-feed.js";
export type { CustomerView, TimelineEntry } from "./client/timeline.js";
export { graphql, type ResultOf, type VariablesOf } from "./graphql.js";
export type {
  Board,
  Content,
  DueDelivery,
  EventInput,
  IngestResult,
  Staff,
  Task,
  TaskFeedItem,
  TaskNotice,
  TaskStatus,
  TimelineUpdate,
  Viewer,
} from "./operations/index.js";
export { createWxIngestReporter, type WxIngestReporterOptions } from "./wx-ingest-reporter.js";
export { createIngestReporter, type IngestReporterOptions } from "./ingest-reporter.js";
export type { ReportedEvent } from "./ingest-reporter.js";
export { replyEvent, type MiniProgramReply } from "./reply-event.js";
export type { EventReporter, FlushResult, QueuedEvent } from "./offline-queue.js";
export { memoryStorage, wxStorage, type SyncStorage } from "./storage.js";
export { wxOnlineSignal, type OnlineSignal } from "./transport/wx-network.js";
export { exponentialBackoff, type BackoffOptions } from "./transport/backoff.js";
export type { FeedSink, ResumableFeed } from "./transport/resumable-feed.js";
export {
  GraphQLResponseError,
  NetworkError,
  ProtocolError,
  SoplineClientError,
  isSoplineClientError,
  type InputIssue,
  type SoplineErrorCode,
} from "./transport/errors.js";
export type { Unsubscribe } from "./transport/types.js";
export type { WxApi } from "./transport/wx-types.js";
